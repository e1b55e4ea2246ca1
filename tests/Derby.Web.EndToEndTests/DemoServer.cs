using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// <c>./run.sh</c> started once for the whole test run, exactly as the README tells a new user, with its own data
/// folder and port; the demo logins are read from what it prints.
/// </summary>
public sealed partial class DemoServer : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> output = new();
    private readonly string data = Path.Combine(Path.GetTempPath(), "derby-e2e", Guid.NewGuid().ToString("N"));
    private Process? process;

    public Uri BaseAddress { get; private set; } = default!;

    public int Port { get; private set; }

    public IReadOnlyDictionary<string, string> Passwords { get; private set; } = new Dictionary<string, string>();

    public string Output => string.Join('\n', output);

    /// <summary>The demo's data folder (database, stores, and the synthetic study it was filled with).</summary>
    public string DataDirectory => data;

    /// <summary>
    /// The demo patients of <paramref name="site"/> that ./derby demo leaves without images (its last two by pseudonym,
    /// DemoCommand.PatientsLeftForUploadsPerSite), in pseudonym order: the ones to send images of.
    /// </summary>
    public IReadOnlyList<string> PatientsWithoutImages(string site) =>
        Directory.GetDirectories(Path.Combine(data, "synthetic", "small-seed-1", "sites", site, "dicom"))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).TakeLast(2).ToList();

    /// <summary>Where screenshots and other artefacts of the browser tests are kept (artifacts/e2e).</summary>
    public static string ArtefactDirectory => Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "artifacts", "e2e")).FullName;

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot();
        Port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "run.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DERBY_PORT"] = Port.ToString();
        start.Environment["Derby__DataDirectory"] = data;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("run.sh ended early:\n" + Output);
            }

            try
            {
                if ((await http.GetAsync("/account/login")).StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("run.sh did not serve the sign-in page within 5 minutes:\n" + Output);
            }

            await Task.Delay(500);
        }

        Passwords = LoginLine().Matches(Output).ToDictionary(m => m.Groups["user"].Value, m => m.Groups["password"].Value);
    }

    public async Task DisposeAsync()
    {
        if (process is not null)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS to clean
        }
    }

    /// <summary>A cookie-keeping client signed in through the real sign-in form.</summary>
    public async Task<HttpClient> SignInAsync(string user)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = BaseAddress };
        await SignInWithFormAsync(client, user, Passwords[user]);
        return client;
    }

    /// <summary>Signs the cookie-keeping client in through the sign-in page's form, as a browser does.</summary>
    internal static async Task SignInWithFormAsync(HttpClient client, string user, string password)
    {
        var page = await client.GetStringAsync("/account/login");
        var token = new HtmlParser().ParseDocument(page).QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = user,
            ["password"] = password,
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.True(response.Headers.Location?.OriginalString == "/", $"{user} could not sign in: {(int)response.StatusCode} {response.Headers.Location}");
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "run.sh")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run.sh not found above the test binaries");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A login line the demo prints for each new account: two spaces, user, role, password.</summary>
    [GeneratedRegex(@"^\s{2}(?<user>[a-z0-9-]+)\s+\w+\s+(?<password>\S{20})$", RegexOptions.Multiline)]
    internal static partial Regex LoginLine();
}

[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<DemoServer>
{
    public const string Name = "demo";
}
