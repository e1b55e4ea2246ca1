using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// One process of the published app (<c>artifacts/web</c>, what <c>./run.sh</c> publishes) started exactly as
/// deploy/roles-and-observability.md tells an operator: <c>dotnet Derby.Web.dll --role ... --urls ...</c> with its
/// configuration in environment variables. Stopped with SIGTERM (a graceful Hangfire shutdown), then killed if it lingers.
/// </summary>
public sealed class DerbyProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> output = new();
    private readonly Process process;

    private DerbyProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        this.process = process;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public int Id => process.Id;

    public string Output => string.Join('\n', output);

    public bool HasExited => process.HasExited;

    /// <summary>Waits for the process to end by itself (a fault point killed it); fails with its output if it does not.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not end within {timeout}:\n{Output}");
        }
    }

    public static DerbyProcess Start(string name, string dataDirectory, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var web = PublishedApp.WebDirectory;
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])[Path.Combine(web, "Derby.Web.dll"), "--contentRoot", web, "--urls", baseAddress.ToString().TrimEnd('/'), .. args])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["Derby__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Plain HTTP on loopback, as run.sh: cookies without the Secure flag, or the HTTP client would not send them back.
        start.Environment["Derby__Security__HttpsCookies"] = "false";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var process = Process.Start(start)!;
        var derby = new DerbyProcess(name, process, baseAddress);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) derby.output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) derby.output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return derby;
    }

    /// <summary>Waits for <c>/health/ready</c> to answer 200 (for a worker: its job server is registered and beating).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} ended early ({process.ExitCode}):\n{Output}");
            }

            try
            {
                var response = await http.GetAsync("/health/ready");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} not ready within {timeout} (last: {last}):\n{Output}");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await term.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The published app in artifacts/web, published the way ./run.sh does when it is missing or older than the sources.</summary>
public static class PublishedApp
{
    private static readonly Lazy<string> Directory = new(Publish);

    public static string WebDirectory => Directory.Value;

    private static string Publish()
    {
        var root = DemoServer.RepositoryRoot();
        var web = Path.Combine(root, "artifacts", "web");
        var dll = new FileInfo(Path.Combine(web, "Derby.Web.dll"));
        var stale = !dll.Exists || new[] { "src", "migrations" }
            .SelectMany(d => System.IO.Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal)
                && !f.Contains("/node_modules/", StringComparison.Ordinal) && !f.Contains("/wwwroot/dist/", StringComparison.Ordinal))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)
                || f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > dll.LastWriteTimeUtc);
        if (stale)
        {
            var start = new ProcessStartInfo("dotnet", ["publish", "src/Derby.Web/Derby.Web.csproj", "-c", "Release", "-o", "artifacts/web", "--nologo", "-v", "quiet"])
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var publish = Process.Start(start)!;
            var stdout = publish.StandardOutput.ReadToEndAsync();
            var stderr = publish.StandardError.ReadToEndAsync();
            publish.WaitForExit();
            if (publish.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish failed:\n{stdout.Result}\n{stderr.Result}");
            }
        }

        return web;
    }
}
