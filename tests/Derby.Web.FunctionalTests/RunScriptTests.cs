using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The README's demo command itself: <c>./run.sh</c> builds, migrates, loads the demo study, prints the logins and
/// serves the app on 127.0.0.1; each demo role signs in to the real process and loads its pages.
/// </summary>
public sealed partial class RunScriptTests
{
    [Fact]
    public async Task RunScript_ServesTheDemo_AndEveryRoleSignsInAndLoadsItsPages()
    {
        var root = RepositoryRoot();
        var data = Path.Combine(Path.GetTempPath(), "derby-run-sh", Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "run.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DERBY_PORT"] = port.ToString();
        start.Environment["Derby__DataDirectory"] = data;

        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilServingAsync(http, process, output);

            var text = string.Join('\n', output);
            Assert.Contains($"Derby is starting at http://127.0.0.1:{port}", text);
            var passwords = LoginLine().Matches(text).ToDictionary(m => m.Groups["user"].Value, m => m.Groups["password"].Value);
            Assert.Equal(["admin", "hwmu-coordinator", "pi", "reviewer", "zsh-coordinator", "zshx-coordinator"], passwords.Keys.Order());

            foreach (var (user, pages) in new[]
            {
                ("admin", new[] { "/", "/sites/ZSH", "/admin/users", "/admin/sites", "/admin/cohorts", "/jobs" }),
                ("pi", new[] { "/", "/sites/HWMU" }),
                ("reviewer", new[] { "/", "/sites/ZSHX" }),
                ("zsh-coordinator", new[] { "/", "/sites/ZSH", "/sites/ZSH/import" }),
            })
            {
                var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
                using var client = new HttpClient(handler) { BaseAddress = http.BaseAddress };
                var signIn = await DerbyWebFactory.SignInAsync(client, user, passwords[user]);
                Assert.Equal("/", signIn.Headers.Location?.OriginalString);
                foreach (var page in pages)
                {
                    var response = await client.GetAsync(page);
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{user} {page}: {(int)response.StatusCode}");
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // left for the OS to clean
            }
        }
    }

    private static async Task WaitUntilServingAsync(HttpClient http, Process process, IEnumerable<string> output)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "run.sh ended early:\n" + string.Join('\n', output));
            try
            {
                if ((await http.GetAsync("/account/login")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // starting
            }

            await Task.Delay(500);
        }

        Assert.Fail("run.sh did not serve the sign-in page within 5 minutes:\n" + string.Join('\n', output));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "run.sh")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run.sh not found above the test binaries");
    }

    [GeneratedRegex(@"^\s{2}(?<user>[a-z-]+)\s+\w+\s+(?<password>\S{20})$", RegexOptions.Multiline)]
    private static partial Regex LoginLine();
}
