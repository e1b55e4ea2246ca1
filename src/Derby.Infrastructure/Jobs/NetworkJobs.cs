using Derby.Application.Learning;
using Hangfire;

namespace Derby.Infrastructure.Jobs;

/// <summary>
/// The network jobs. Training and extraction run in the "gpu" queue, so a deployment can give them to GPU workers (the
/// same code with a CUDA LibTorch) while web nodes take only "default"; the mixture fit is CPU work in "default".
/// </summary>
public sealed class NetworkJobs(NetworkService networks)
{
    /// <summary>Trains a network model.</summary>
    [Queue("gpu")]
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task TrainAsync(Guid networkModelId, CancellationToken cancellationToken) => networks.RunTrainingAsync(networkModelId, null, cancellationToken);

    /// <summary>Extracts the features of every pair set under a trained network.</summary>
    [Queue("gpu")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task ExtractAsync(Guid networkModelId, CancellationToken cancellationToken) => networks.ExtractFeaturesAsync(networkModelId, null, cancellationToken);

    /// <summary>Fits the mixture and stores every pair's F_img.</summary>
    [Queue("default")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task FitMixtureAsync(Guid networkModelId, int kMax, int dimensions, CancellationToken cancellationToken) =>
        networks.FitMixtureAsync(networkModelId, kMax, dimensions, null, cancellationToken);

    /// <summary>The mixture job as queued before principal components were an option (on the features themselves): jobs already in the queue still run.</summary>
    [Queue("default")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task FitMixtureAsync(Guid networkModelId, int kMax, CancellationToken cancellationToken) =>
        networks.FitMixtureAsync(networkModelId, kMax, 0, null, cancellationToken);
}
