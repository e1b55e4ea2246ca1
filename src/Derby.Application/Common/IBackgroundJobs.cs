namespace Derby.Application.Common;

/// <summary>Queues work for the background job server. Only identifiers cross this boundary, never entities.</summary>
public interface IBackgroundJobs
{
    /// <summary>Queues the import and returns the job's identifier.</summary>
    string EnqueueImport(Guid importRunId);
}
