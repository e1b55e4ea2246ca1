using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// Scale-out with real processes on one shared SQLite database, Hangfire SQLite storage and data folder (ADR 22): the web
/// role without a job server, two workers on queue "default", probe jobs queued through <c>./derby jobs probe</c>. Each
/// probe records its execution with an exclusive file create, so a job lost or run twice shows.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const int Probes = 40;
    private readonly string data = Path.Combine(Path.GetTempPath(), "derby-scale-out", Guid.NewGuid().ToString("N"));
    private readonly List<DerbyProcess> processes = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(data);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in processes)
        {
            await process.DisposeAsync();
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

    [Fact]
    public async Task Workers_RunEveryJobOnce_AndGpuJobWaitsForGpuWorker()
    {
        var clock = Stopwatch.StartNew();
        var web = Start("web", ["--role", "web"], new() { ["Derby__Jobs__InProcessServer"] = "false" });
        await web.WaitReadyAsync(TimeSpan.FromMinutes(2)); // the web role applies the migrations
        var worker1 = Start("worker-1", ["--role", "worker", "--queues", "default"], new() { ["Derby__Jobs__WorkerCount"] = "2" });
        var worker2 = Start("worker-2", ["--role", "worker", "--queues", "default"], new() { ["Derby__Jobs__WorkerCount"] = "2" });
        await Task.WhenAll(worker1.WaitReadyAsync(TimeSpan.FromMinutes(2)), worker2.WaitReadyAsync(TimeSpan.FromMinutes(2)));

        var probes = Derby("jobs", "probe", "--count", Probes.ToString(), "--queue", "default", "--duration-ms", "250")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("probeId").GetString()!).ToList();
        Assert.Equal(Probes, probes.Count);

        await WaitUntilAsync(() => probes.All(p => File.Exists(ProbeFile(p))), TimeSpan.FromSeconds(90), "every probe to run");
        await WaitUntilAsync(() => Stats().GetProperty("processing").GetInt64() == 0, TimeSpan.FromSeconds(20), "no job processing");
        var stats = Stats();
        Assert.Equal(0, stats.GetProperty("queues").GetProperty("default").GetInt64());
        Assert.Equal(0, stats.GetProperty("enqueued").GetInt64());
        Assert.Equal(0, stats.GetProperty("failed").GetInt64());
        Assert.Empty(Directory.GetFiles(ProbeFolder, "*.again.*"));
        var ranBy = probes.GroupBy(p => RanBy(p)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new[] { worker1.Id, worker2.Id }.Order(), ranBy.Keys.Order());
        Assert.All(ranBy.Values, n => Assert.InRange(n, 1, Probes - 1));

        // A gpu job waits while only "default" workers run, and is taken as soon as a gpu worker starts.
        var gpuProbe = JsonDocument.Parse(Derby("jobs", "probe", "--queue", "gpu")).RootElement.GetProperty("probeId").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.False(File.Exists(ProbeFile(gpuProbe)), "a default-only worker ran a gpu job");
        Assert.Equal(1, Stats().GetProperty("queues").GetProperty("gpu").GetInt64());

        var gpuWorker = Start("gpu-worker", ["--role", "worker", "--queues", "gpu,default"], new() { ["Derby__Jobs__WorkerCount"] = "1" });
        await gpuWorker.WaitReadyAsync(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(() => File.Exists(ProbeFile(gpuProbe)), TimeSpan.FromSeconds(60), "the gpu probe to run");
        Assert.Equal(gpuWorker.Id, RanBy(gpuProbe));
        await WaitUntilAsync(() => Stats().GetProperty("processing").GetInt64() == 0, TimeSpan.FromSeconds(20), "no job processing");
        stats = Stats();
        Assert.Equal(0, stats.GetProperty("queues").GetProperty("gpu").GetInt64());
        Assert.Equal(0, stats.GetProperty("failed").GetInt64());
        Assert.Empty(Directory.GetFiles(ProbeFolder, "*.again.*"));
        Assert.Equal(Probes + 1, Directory.GetFiles(ProbeFolder).Length);
        // Second fetches of one enqueue that SingleExecutionFilter dropped (Hangfire.Storage.SQLite hands some out twice).
        log.WriteLine($"ran by: {string.Join(", ", ranBy.Select(r => $"{r.Key}: {r.Value}"))}; dropped second fetches: " +
            processes.Sum(p => p.Output.Split('\n').Count(l => l.Contains("this second fetch is dropped", StringComparison.Ordinal))));

        // Every role answers its probes; the web role still serves its pages, workers serve nothing else.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(web.BaseAddress, "/account/login"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(worker1.BaseAddress, "/account/login"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(gpuWorker.BaseAddress, "/health/live"))).StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Worker_StopsWithReason_WhenDatabaseIsNotMigrated()
    {
        var worker = Start("worker", ["--role", "worker"], new() { ["Derby__Database__SchemaWaitSeconds"] = "2" });
        await WaitUntilAsync(() => worker.Output.Contains("The database is not migrated", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            "the worker to refuse an unmigrated database");
    }

    private string ProbeFolder => Path.Combine(data, "probes");

    private string ProbeFile(string probeId) => Path.Combine(ProbeFolder, probeId);

    private int RanBy(string probeId) => int.Parse(File.ReadAllText(ProbeFile(probeId)).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private DerbyProcess Start(string name, string[] args, Dictionary<string, string> environment)
    {
        var process = DerbyProcess.Start(name, data, args, environment);
        processes.Add(process);
        return process;
    }

    private JsonElement Stats() => JsonDocument.Parse(Derby("jobs", "stats")).RootElement;

    /// <summary>Runs <c>./derby</c> on this test's data folder and returns its standard output.</summary>
    private string Derby(params string[] args) => StudyFolder.Cli(data, args);

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}:\n" + string.Join("\n---\n", processes.Select(p => $"[{p.Name}]\n{p.Output}")));
            }

            await Task.Delay(500);
        }
    }
}

/// <summary>Runs alone (after the parallel collections): it publishes artifacts/web, which ./run.sh in the demo collection also does.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleOutCollection
{
    public const string Name = "scale-out";
}
