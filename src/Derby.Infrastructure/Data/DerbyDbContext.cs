using Derby.Application.Common;
using Derby.Domain;
using Derby.Infrastructure.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Data;

/// <summary>The study database: study data and the staff accounts of ASP.NET Core Identity. Hangfire keeps its own tables.</summary>
public sealed class DerbyDbContext(DbContextOptions<DerbyDbContext> options) : IdentityDbContext<DerbyUser>(options), IDerbyDbContext
{
    public DbSet<Study> Studies => Set<Study>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<Cohort> Cohorts => Set<Cohort>();
    public DbSet<CohortMembership> CohortMemberships => Set<CohortMembership>();
    public DbSet<Patient> Patients => Set<Patient>();
    public DbSet<ClinicalRecord> ClinicalRecords => Set<ClinicalRecord>();
    public DbSet<BiopsyScores> BiopsyScores => Set<BiopsyScores>();
    public DbSet<Outcome> Outcomes => Set<Outcome>();
    public DbSet<ImagingSeries> ImagingSeries => Set<ImagingSeries>();
    public DbSet<ImagingInstance> ImagingInstances => Set<ImagingInstance>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<Prediction> Predictions => Set<Prediction>();
    public DbSet<Review> Reviews => Set<Review>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<SiteAssignment> SiteAssignments => Set<SiteAssignment>();
    public DbSet<ImportRun> ImportRuns => Set<ImportRun>();
    public DbSet<SiteApiToken> SiteApiTokens => Set<SiteApiToken>();
    public DbSet<Lesion> Lesions => Set<Lesion>();
    public DbSet<PairSet> PairSets => Set<PairSet>();
    public DbSet<ImagePair> ImagePairs => Set<ImagePair>();
    public DbSet<NetworkModel> NetworkModels => Set<NetworkModel>();
    public DbSet<FeatureSet> FeatureSets => Set<FeatureSet>();
    public DbSet<MixtureModel> MixtureModels => Set<MixtureModel>();
    public DbSet<PairImageFeature> PairImageFeatures => Set<PairImageFeature>();
    public DbSet<GradCamSet> GradCamSets => Set<GradCamSet>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(DerbyDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums as their names: readable in the database and in SQL exports, and stable if members are reordered.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
