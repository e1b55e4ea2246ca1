using Hangfire;
using Hangfire.Storage;

namespace Derby.Infrastructure.Jobs;

/// <summary>What an operator (and the multi-process tests) can ask of the shared job storage: queue probes, read counts.</summary>
public sealed class JobDiagnostics(IBackgroundJobClient client, JobStorage storage)
{
    /// <summary>The queues the app's jobs use.</summary>
    public static IReadOnlyList<string> KnownQueues { get; } = ["default", "gpu"];

    /// <summary>Queues <paramref name="count"/> <see cref="ProbeJob"/>s on <paramref name="queue"/>; returns (probe id, job id) pairs.</summary>
    public IReadOnlyList<(string ProbeId, string JobId)> EnqueueProbes(int count, string queue, int durationMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!KnownQueues.Contains(queue))
        {
            throw new InvalidOperationException($"Unknown queue '{queue}': use one of {string.Join(", ", KnownQueues)}");
        }

        var batch = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        return Enumerable.Range(1, count).Select(i =>
        {
            var probeId = $"probe-{batch}-{queue}-{i:D4}-{Guid.NewGuid().ToString("N")[..8]}";
            return (probeId, client.Enqueue<ProbeJob>(queue, job => job.RunAsync(probeId, durationMs, CancellationToken.None)));
        }).ToList();
    }

    /// <summary>Counts by state, queue lengths and the servers with their queues and last heartbeat.</summary>
    public JobStatistics Statistics()
    {
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var queues = QueueLengths(monitoring);
        var servers = monitoring.Servers().Select(s => new JobServerInfo(s.Name, s.Queues.ToArray(), s.WorkersCount, s.Heartbeat)).ToList();
        return new JobStatistics(stats.Enqueued, stats.Scheduled, stats.Processing, stats.Succeeded, stats.Failed, queues, servers);
    }

    /// <summary>Enqueued jobs per queue, the known queues always included.</summary>
    public static IReadOnlyDictionary<string, long> QueueLengths(IMonitoringApi monitoring)
    {
        var lengths = KnownQueues.ToDictionary(q => q, q => monitoring.EnqueuedCount(q));
        foreach (var queue in monitoring.Queues())
        {
            lengths[queue.Name] = queue.Length;
        }

        return lengths;
    }
}

public sealed record JobStatistics(long Enqueued, long Scheduled, long Processing, long Succeeded, long Failed,
    IReadOnlyDictionary<string, long> Queues, IReadOnlyList<JobServerInfo> Servers);

public sealed record JobServerInfo(string Name, string[] Queues, int Workers, DateTime? Heartbeat);
