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
    public DbSet<ReviewCase> ReviewCases => Set<ReviewCase>();
    public DbSet<SiteQuery> SiteQueries => Set<SiteQuery>();
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
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();

    /// <summary>Set only by <see cref="DatabaseInitializer"/> while it seals events written before the chain existed.</summary>
    internal bool SealingLegacyEvents { get; set; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(DerbyDbContext).Assembly);
    }

    /// <summary>The synchronous save runs the asynchronous one (the rules query the database, as they did before the chain).</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Applies the model rules, then chains the new audit events after the chain's head and moves the head in the same
    /// save. When another writer appended first (the head's event count changed), the head is read again and the events
    /// chained again: at most a few retries under contention.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        await ApplyModelRulesAsync(cancellationToken);
        var events = ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (events.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // SQLite: take the write lock (BEGIN IMMEDIATE) before reading the head, so that no other writer can move it in
        // between. Without it, 20 dashboard users exporting CSV (each export is an audited event) during 50 concurrent
        // uploads ran out of the retries below (DbUpdateConcurrencyException, HTTP 500; found by the load test,
        // tests/Derby.Web.EndToEndTests/StowLoad.cs). A save inside a caller's transaction already holds the lock. The
        // transaction runs under the execution strategy (ADR 25), which refuses one opened outside it; a retried attempt
        // reads the head again. SQL Server keeps the optimistic retries.
        if (Database.IsSqlite() && Database.CurrentTransaction is null)
        {
            var saved = await Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
            {
                await using var transaction = await Database.BeginTransactionAsync(ct);
                var count = await ChainAndSaveAsync(events, acceptAllChangesOnSuccess: false, ct);
                await transaction.CommitAsync(ct);
                return count;
            }, cancellationToken);

            // Changes accepted only once committed, so that a failed commit leaves them to save again.
            if (acceptAllChangesOnSuccess)
            {
                ChangeTracker.AcceptAllChanges();
            }

            return saved;
        }

        return await ChainAndSaveAsync(events, acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Chains the new events after the head read now and saves; reads the head again when another writer moved it first.</summary>
    private async Task<int> ChainAndSaveAsync(List<AuditEvent> events, bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = await AuditChainHeads.SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken)
                ?? throw new InvalidOperationException("The audit chain's head row is missing: run the migrations (derby db migrate)");
            ResetHead(head);
            AuditChain.Append(head, events);
            try
            {
                return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            }
            catch (DbUpdateConcurrencyException ex) when (attempt < 20 && ex.Entries.All(e => e.Entity is AuditChainHead))
            {
                foreach (var entry in ex.Entries)
                {
                    await entry.ReloadAsync(cancellationToken);
                }

                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// A head this context already moved in a save that then failed still holds the moved values: back to what was read,
    /// so the events are chained once, right after the stored head.
    /// </summary>
    private void ResetHead(AuditChainHead head)
    {
        var entry = Entry(head);
        if (entry.State == EntityState.Modified)
        {
            entry.CurrentValues.SetValues(entry.OriginalValues);
            entry.State = EntityState.Unchanged;
        }
    }

    /// <summary>
    /// Four rules checked on every save, whatever the path (forms, CSV import, ingestion, jobs, command line): the audit
    /// trail is append-only (an event is never changed or deleted through the context); so are review verdicts (never
    /// changed; they go only when their patient is deleted); a trained model version is
    /// frozen (only its active flag may change, and it is never deleted); and a change to a patient's inputs (clinical
    /// record, IHC scores, stored series, lesions, pair sets) marks that patient's current predictions stale in the same
    /// transaction. Scoring the same inputs again clears the mark (ScoringService).
    /// </summary>
    private async Task ApplyModelRulesAsync(CancellationToken cancellationToken)
    {
        ChangeTracker.DetectChanges();
        foreach (var entry in ChangeTracker.Entries<AuditEvent>().Where(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            var sealing = SealingLegacyEvents && entry.State == EntityState.Modified && entry.OriginalValues[nameof(AuditEvent.Hash)] is null
                && entry.Properties.Where(p => p.IsModified).All(p => p.Metadata.Name is nameof(AuditEvent.Sequence) or nameof(AuditEvent.PreviousHash) or nameof(AuditEvent.Hash));
            if (!sealing)
            {
                throw new InvalidOperationException($"The audit trail is append-only: event {entry.Entity.Id} cannot be {(entry.State == EntityState.Deleted ? "deleted" : "changed")}");
            }
        }

        // A verdict is a record of what a reviewer said: it is never changed, and only goes with its prediction's patient.
        foreach (var entry in ChangeTracker.Entries<Review>().Where(e => e.State == EntityState.Modified))
        {
            throw new InvalidOperationException($"A review verdict is append-only: verdict {entry.Entity.Id} cannot be changed");
        }

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
