using Derby.Application.Common;
using Hangfire;

namespace Derby.Infrastructure.Jobs;

internal sealed class HangfireBackgroundJobs(IBackgroundJobClient client) : IBackgroundJobs
{
    public string EnqueueImport(Guid importRunId) =>
        client.Enqueue<ImportJob>(job => job.RunAsync(importRunId, CancellationToken.None));

    public string EnqueueSegmentation(Guid lesionId) =>
        client.Enqueue<SegmentationJob>(job => job.SegmentAsync(lesionId, CancellationToken.None));

    public string EnqueuePairs(Guid lesionId) =>
        client.Enqueue<SegmentationJob>(job => job.BuildPairsAsync(lesionId, CancellationToken.None));
}
