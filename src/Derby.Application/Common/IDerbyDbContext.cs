using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Derby.Application.Common;

/// <summary>The study database as the use cases see it. Created per operation through <see cref="IDerbyDbContextFactory"/>.</summary>
public interface IDerbyDbContext : IAsyncDisposable, IDisposable
{
    DbSet<Domain.Study> Studies { get; }

    DbSet<Site> Sites { get; }

    DbSet<Cohort> Cohorts { get; }

    DbSet<CohortMembership> CohortMemberships { get; }

    DbSet<Patient> Patients { get; }

    DbSet<ClinicalRecord> ClinicalRecords { get; }

    DbSet<BiopsyScores> BiopsyScores { get; }

    DbSet<Outcome> Outcomes { get; }

    DbSet<ImagingSeries> ImagingSeries { get; }

    DbSet<ImagingInstance> ImagingInstances { get; }

    DbSet<ModelVersion> ModelVersions { get; }

    DbSet<Prediction> Predictions { get; }

    DbSet<Review> Reviews { get; }

    DbSet<ReviewCase> ReviewCases { get; }

    DbSet<SiteQuery> SiteQueries { get; }

    DbSet<AuditEvent> AuditEvents { get; }

    DbSet<SiteAssignment> SiteAssignments { get; }

    DbSet<ImportRun> ImportRuns { get; }

    DbSet<SiteApiToken> SiteApiTokens { get; }

    DbSet<Lesion> Lesions { get; }

    DbSet<PairSet> PairSets { get; }

    DbSet<ImagePair> ImagePairs { get; }

    /// <summary>Trainings of the pair network.</summary>
    DbSet<NetworkModel> NetworkModels { get; }

    /// <summary>Pair features per network and pair set.</summary>
    DbSet<FeatureSet> FeatureSets { get; }

    /// <summary>Gaussian mixtures fitted on a network's features.</summary>
    DbSet<MixtureModel> MixtureModels { get; }

    /// <summary>F_img per pair and mixture.</summary>
    DbSet<PairImageFeature> PairImageFeatures { get; }

    /// <summary>Grad-CAM maps per network and pair set.</summary>
    DbSet<GradCamSet> GradCamSets { get; }

    DatabaseFacade Database { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}
