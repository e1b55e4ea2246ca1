using Derby.Application.Common;
using Derby.Application.Models;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Jobs;

/// <summary>The model jobs: training a DERBY / DERBY+ version and scoring a cohort with one (CPU work, queue "default").</summary>
public sealed class ModelJobs(ModelService models, ScoringService scoring, IDerbyDbContextFactory dbFactory)
{
    /// <summary>Trains a model version.</summary>
    [Queue("default")]
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task TrainAsync(int modelVersionId, CancellationToken cancellationToken) => models.RunTrainingAsync(modelVersionId, null, cancellationToken);

    /// <summary>Scores a cohort's members with a model version (a rerun scores only what changed).</summary>
    [Queue("default")]
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task ScoreCohortAsync(int modelVersionId, string cohortCode, CancellationToken cancellationToken)
    {
        string version;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            version = await db.ModelVersions.Where(m => m.Id == modelVersionId).Select(m => m.Version).SingleAsync(cancellationToken);
        }

        await scoring.ScoreCohortAsync(version, cohortCode, "system", null, cancellationToken);
    }

    /// <summary>Scores one patient with a model version (unchanged inputs give the stored prediction back).</summary>
    [Queue("default")]
    [AutomaticRetry(Attempts = 3)]
    public async Task ScorePatientAsync(int modelVersionId, Guid patientId, CancellationToken cancellationToken)
    {
        string version;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            version = await db.ModelVersions.Where(m => m.Id == modelVersionId).Select(m => m.Version).SingleAsync(cancellationToken);
        }

        await scoring.ScoreAsync(version, [patientId], "system", null, cancellationToken);
    }
}
