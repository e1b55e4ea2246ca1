using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Jobs;

/// <summary>
/// Puts back in its queue every job left "processing" by a job server that is gone: a process killed or crashed during a
/// job. Without it, Hangfire.Storage.SQLite hands the job out again only when its queue entry's invisibility timeout
/// (30 minutes, not sliding) has passed, so a restarted app would leave an import, a training or a scoring run unfinished
/// for half an hour (found by the fault tests, tests/Derby.Web.EndToEndTests/FaultTests.cs). Runs in every process with a
/// job server, at start and then every <see cref="Interval"/>.
/// A server is gone when it is no longer registered (Hangfire's watchdog removes a server whose heartbeat stopped), or when
/// its name (<c>{role}-{host}-{pid}</c>, <see cref="DependencyInjection.AddJobServer"/>) names this host and a process id that
/// is not running, or is running but started after that server did (the id was reused, e.g. pid 1 of a restarted container).
/// The requeue is a new enqueue, so <see cref="SingleExecutionFilter"/> lets it run; the jobs are idempotent (resumable by
/// their request row), so running the rest of a killed run again is safe. A stale queue entry of the killed run is dropped
/// by Hangfire when it reappears (the job's state has moved on) or by <see cref="SingleExecutionFilter"/>.
/// </summary>
public sealed class OrphanedJobRecovery(JobStorage storage, IBackgroundJobClient client, ILogger<OrphanedJobRecovery> logger) : PeriodicService(logger)
{
    /// <summary>How often a running process looks for orphaned jobs (after its first look at start).</summary>
    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    protected override string Activity => "Looking for jobs of stopped job servers";

    protected override void RunOnce() => RequeueOrphans();

    /// <summary>Requeues the jobs in the processing state whose server is gone; returns their ids.</summary>
    public IReadOnlyList<string> RequeueOrphans()
    {
        var monitoring = storage.GetMonitoringApi();
        var servers = monitoring.Servers().ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        var requeued = new List<string>();
        var processing = monitoring.ProcessingCount();
        for (var from = 0; from < processing; from += 500)
        {
            foreach (var (jobId, job) in monitoring.ProcessingJobs(from, 500))
            {
                if (job is null || !job.InProcessingState || job.ServerId is null)
                {
                    continue;
                }

                servers.TryGetValue(job.ServerId, out var server);
                if (!IsGone(job.ServerId, server))
                {
                    continue;
                }

                if (client.Requeue(jobId, ProcessingState.StateName))
                {
                    logger.LogWarning("Job {JobId} ({Type}.{Method}) was running on job server {Server}, which is gone: queued again",
                        jobId, job.Job?.Type.Name, job.Job?.Method.Name, job.ServerId);
                    requeued.Add(jobId);
                }
            }
        }

        return requeued;
    }

    /// <summary>Whether the job server with this id is gone (see the class comment).</summary>
    public static bool IsGone(string serverId, Hangfire.Storage.Monitoring.ServerDto? server)
    {
        if (server is null)
        {
            return true;
        }

        var name = serverId.Split(':')[0];
        var dash = name.LastIndexOf('-');
        var host = "-" + Environment.MachineName.ToLowerInvariant() + "-";
        if (dash < 0 || !int.TryParse(name.AsSpan(dash + 1), out var pid) || !name[..(dash + 1)].EndsWith(host, StringComparison.OrdinalIgnoreCase))
        {
            return false; // another host's server: gone only when its heartbeat stops and the watchdog removes it
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime() > server.StartedAt;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true; // it ended while we looked
        }
    }
}
