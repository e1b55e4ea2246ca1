using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Jobs;

/// <summary>
/// Makes a job run once per enqueue when several processes fetch from Hangfire.Storage.SQLite, which can hand the same
/// queue entry to two processes (its fetch is a read then an update, serialised only inside one process; ADR 22).
/// Before the job runs, its worker takes <c>{data}/job-runs/{job id}.{enqueue number}</c> with an exclusive OS lock held
/// for the whole run, and after a success marks the file done. A second fetch of the same enqueue then finds the file
/// locked (the first still runs) or done (it ran), and is aborted the way Hangfire aborts a job whose state moved on: no
/// state change, entry removed from the queue. A retry or a requeue is a new enqueue (a new number) and runs; a run
/// whose process died leaves the file unlocked and not done, so the job's re-fetch after the invisibility timeout runs it.
/// Only added for the SQLite storage: SQL Server's fetch is atomic.
/// </summary>
public sealed class SingleExecutionFilter(DerbyOptionsAccessor options, ILogger<SingleExecutionFilter> logger) : IServerFilter
{
    public const string Folder = "job-runs";
    private const string ItemKey = "derby.single-execution";
    private static readonly byte[] Done = "done"u8.ToArray();

    public void OnPerforming(PerformingContext context)
    {
        var jobId = context.BackgroundJob.Id;
        var enqueues = context.Storage.GetMonitoringApi().JobDetails(jobId)?.History
            .Count(h => string.Equals(h.StateName, EnqueuedState.StateName, StringComparison.OrdinalIgnoreCase)) ?? 0;
        var folder = Directory.CreateDirectory(Path.Combine(options.Value.DataPath, Folder)).FullName;
        var path = Path.Combine(folder, $"{jobId}.{enqueues}");
        FileStream file;
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a share-mode lock on Windows: across processes.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            logger.LogWarning("Job {JobId} (enqueue {Enqueue}) is running in another process: this second fetch is dropped", jobId, enqueues);
            throw new JobAbortedException();
        }

        var buffer = new byte[Done.Length];
        if (file.Read(buffer) == Done.Length && buffer.AsSpan().SequenceEqual(Done))
        {
            file.Dispose();
            logger.LogWarning("Job {JobId} (enqueue {Enqueue}) already ran: this second fetch is dropped", jobId, enqueues);
            throw new JobAbortedException();
        }

        context.Items[ItemKey] = file;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var value) && value is FileStream file)
        {
            using (file)
            {
                if (context.Exception is null || context.ExceptionHandled)
                {
                    file.SetLength(0);
                    file.Write(Done);
                    file.Flush(flushToDisk: true);
                }
            }
        }
    }
}
