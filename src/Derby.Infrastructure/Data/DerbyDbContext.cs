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

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        ApplyModelRules();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        await ApplyModelRulesAsync(cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void ApplyModelRules() => ApplyModelRulesAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Two rules checked on every save, whatever the path (forms, CSV import, ingestion, jobs, command line): a trained
    /// model version is frozen (only its active flag may change, and it is never deleted); and a change to a patient's
    /// inputs (clinical record, IHC scores, stored series, lesions, pair sets) marks that patient's current predictions
    /// stale in the same transaction. Scoring the same inputs again clears the mark (ScoringService).
    /// </summary>
    private async Task ApplyModelRulesAsync(CancellationToken cancellationToken)
    {
        ChangeTracker.DetectChanges();
        foreach (var entry in ChangeTracker.Entries<ModelVersion>())
        {
            var wasTrained = entry.State is EntityState.Modified or EntityState.Deleted
                && Equals(entry.OriginalValues[nameof(ModelVersion.Status)], ModelVersionStatus.Trained);
            if (!wasTrained)
            {
                continue;
            }

            var changed = entry.State == EntityState.Deleted ? ["(deleted)"]
                : entry.Properties.Where(p => p.IsModified && p.Metadata.Name != nameof(ModelVersion.IsActive)).Select(p => p.Metadata.Name).ToList();
            if (changed.Count > 0)
            {
                throw new InvalidOperationException($"Model version {entry.Entity.Version} is frozen: {string.Join(", ", changed)} cannot change (only its active flag can)");
            }
        }

        var patients = new HashSet<Guid>();
        foreach (var entry in ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            switch (entry.Entity)
            {
                case ClinicalRecord c:
                    patients.Add(c.PatientId);
                    break;
                case BiopsyScores b:
                    patients.Add(b.PatientId);
                    break;
                case ImagingSeries s:
                    patients.Add(s.PatientId);
                    break;
                case Lesion l when entry.State != EntityState.Modified || entry.Property(nameof(Lesion.Status)).IsModified:
                    patients.Add(l.PatientId);
                    break;
                case Domain.PairSet p when entry.State == EntityState.Added:
                    if (await Lesions.Where(l => l.Id == p.LesionId).Select(l => (Guid?)l.PatientId).SingleOrDefaultAsync(cancellationToken) is { } owner)
                    {
                        patients.Add(owner);
                    }

                    break;
            }
        }

        if (patients.Count == 0)
        {
            return;
        }

        var added = ChangeTracker.Entries<Prediction>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.Id).ToHashSet();
        foreach (var prediction in await Predictions.Where(p => patients.Contains(p.PatientId) && !p.IsStale).ToListAsync(cancellationToken))
        {
            if (!added.Contains(prediction.Id))
            {
                prediction.IsStale = true;
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums as their names: readable in the database and in SQL exports, and stable if members are reordered.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
