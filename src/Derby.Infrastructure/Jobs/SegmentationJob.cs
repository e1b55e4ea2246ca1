using Derby.Application.Segmentation;
using Hangfire;

namespace Derby.Infrastructure.Jobs;

/// <summary>Hangfire entry points for the lesion segmentation and the 2.5D pairs. Both use cases are idempotent, so retries and restarts are safe.</summary>
public sealed class SegmentationJob(LesionService lesions)
{
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task SegmentAsync(Guid lesionId, CancellationToken cancellationToken) => lesions.RunSegmentationAsync(lesionId, cancellationToken);

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task BuildPairsAsync(Guid lesionId, CancellationToken cancellationToken) => lesions.BuildPairsAsync(lesionId, cancellationToken);
}
