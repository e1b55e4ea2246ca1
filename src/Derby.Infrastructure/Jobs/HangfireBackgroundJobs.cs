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

    public string EnqueueTraining(Guid networkModelId) =>
        client.Enqueue<NetworkJobs>(job => job.TrainAsync(networkModelId, CancellationToken.None));

    public string EnqueueExtraction(Guid networkModelId) =>
        client.Enqueue<NetworkJobs>(job => job.ExtractAsync(networkModelId, CancellationToken.None));

    public string EnqueueMixture(Guid networkModelId, int kMax, int dimensions) =>
        client.Enqueue<NetworkJobs>(job => job.FitMixtureAsync(networkModelId, kMax, dimensions, CancellationToken.None));

    public string EnqueueModelTraining(int modelVersionId) =>
        client.Enqueue<ModelJobs>(job => job.TrainAsync(modelVersionId, CancellationToken.None));

    public string EnqueueScoring(int modelVersionId, string cohortCode) =>
        client.Enqueue<ModelJobs>(job => job.ScoreCohortAsync(modelVersionId, cohortCode, CancellationToken.None));

    public string EnqueuePatientScoring(int modelVersionId, Guid patientId) =>
        client.Enqueue<ModelJobs>(job => job.ScorePatientAsync(modelVersionId, patientId, CancellationToken.None));
}
