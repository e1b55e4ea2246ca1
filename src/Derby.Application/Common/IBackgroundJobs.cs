namespace Derby.Application.Common;

/// <summary>Queues work for the background job server. Only identifiers cross this boundary, never entities.</summary>
public interface IBackgroundJobs
{
    /// <summary>Queues the import and returns the job's identifier.</summary>
    string EnqueueImport(Guid importRunId);

    /// <summary>Queues the segmentation of a requested lesion.</summary>
    string EnqueueSegmentation(Guid lesionId);

    /// <summary>Queues the 2.5D pairs of an accepted lesion.</summary>
    string EnqueuePairs(Guid lesionId);

    /// <summary>Queues the training of a network model (queue "gpu").</summary>
    string EnqueueTraining(Guid networkModelId);

    /// <summary>Queues the feature extraction of a trained network (queue "gpu").</summary>
    string EnqueueExtraction(Guid networkModelId);

    /// <summary>Queues the Gaussian-mixture fit on a network's features, or on their leading principal components (queue "default").</summary>
    string EnqueueMixture(Guid networkModelId, int kMax, int dimensions);

    /// <summary>Queues the training of a DERBY / DERBY+ model version (queue "default").</summary>
    string EnqueueModelTraining(int modelVersionId);

    /// <summary>Queues the scoring of a cohort's members with a model version (queue "default").</summary>
    string EnqueueScoring(int modelVersionId, string cohortCode);

    /// <summary>Queues the scoring of one patient with a model version (queue "default"): after a site answers a review query.</summary>
    string EnqueuePatientScoring(int modelVersionId, Guid patientId);
}
