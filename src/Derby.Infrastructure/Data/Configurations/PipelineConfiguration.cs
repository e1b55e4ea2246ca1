using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class ImagingSeriesConfiguration : IEntityTypeConfiguration<ImagingSeries>
{
    public void Configure(EntityTypeBuilder<ImagingSeries> b)
    {
        b.Property(s => s.SeriesInstanceUid).HaveMaxLengthAndRequire(64);
        b.Property(s => s.StudyInstanceUid).HasMaxLength(64);
        b.Property(s => s.FrameOfReferenceUid).HasMaxLength(64);
        b.Property(s => s.PixelSpacing).HasMaxLength(64);
        b.Property(s => s.Orientation).HasMaxLength(128);
        b.Property(s => s.Manufacturer).HasMaxLength(64);
        b.Property(s => s.Model).HasMaxLength(64);
        b.Property(s => s.SuvRule).HasMaxLength(64);
        b.Property(s => s.SuvTags).HasMaxLength(512);
        b.HasIndex(s => s.SeriesInstanceUid).IsUnique();
        b.HasOne(s => s.Patient).WithMany(p => p.Series).HasForeignKey(s => s.PatientId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ImagingInstanceConfiguration : IEntityTypeConfiguration<ImagingInstance>
{
    public void Configure(EntityTypeBuilder<ImagingInstance> b)
    {
        b.Property(i => i.SopInstanceUid).HaveMaxLengthAndRequire(64);
        b.Property(i => i.Sha256).HaveMaxLengthAndRequire(64);
        b.HasIndex(i => i.SopInstanceUid).IsUnique();
        b.HasIndex(i => new { i.SeriesId, i.SliceIndex }).IsUnique();
        b.HasOne(i => i.Series).WithMany(s => s.Instances).HasForeignKey(i => i.SeriesId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> b)
    {
        b.Property(m => m.Version).HaveMaxLengthAndRequire(64);
        b.Property(m => m.Kind).HaveMaxLengthAndRequire(32);
        b.Property(m => m.ArtefactSha256).HasMaxLength(64);
        b.HasIndex(m => m.Version).IsUnique();
        b.Property(m => m.SettingsJson).HasMaxLength(4000);
        b.Property(m => m.ManifestJson);
        b.Property(m => m.Progress).HasMaxLength(400);
        b.Property(m => m.Error).HasMaxLength(2000);
        b.Property(m => m.RequestedBy).HasMaxLength(256);
        b.HasOne(m => m.Cohort).WithMany().HasForeignKey(m => m.CohortId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(m => m.NetworkModel).WithMany().HasForeignKey(m => m.NetworkModelId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PredictionConfiguration : IEntityTypeConfiguration<Prediction>
{
    public void Configure(EntityTypeBuilder<Prediction> b)
    {
        b.Property(p => p.InputsSha256).HasMaxLength(64);
        b.Property(p => p.InputHashesJson);
        b.Property(p => p.PairScoresJson);
        b.Property(p => p.FeaturesJson);
        b.Property(p => p.SignaturesJson).HasMaxLength(2000);
        b.Property(p => p.RequestedBy).HasMaxLength(256);
        b.HasIndex(p => new { p.ModelVersionId, p.IsStale });
        b.HasOne(p => p.Patient).WithMany().HasForeignKey(p => p.PatientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(p => p.ModelVersion).WithMany().HasForeignKey(p => p.ModelVersionId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(p => new { p.PatientId, p.ModelVersionId, p.InputsSha256 }).IsUnique();
    }
}

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> b)
    {
        b.Property(r => r.ReviewerId).HaveMaxLengthAndRequire(450);
        b.Property(r => r.Comment).HasMaxLength(4000);
        b.HasOne(r => r.Prediction).WithMany().HasForeignKey(r => r.PredictionId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.PredictionId, r.CreatedUtc });
    }
}

internal sealed class ReviewCaseConfiguration : IEntityTypeConfiguration<ReviewCase>
{
    public void Configure(EntityTypeBuilder<ReviewCase> b)
    {
        b.HasKey(c => c.PredictionId);
        b.Property(c => c.DisagreedBy).HasMaxLength(450);
        b.Property(c => c.AdjudicatedBy).HasMaxLength(450);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasIndex(c => new { c.Status, c.AwaitingAdjudication });
        b.HasOne(c => c.Prediction).WithOne().HasForeignKey<ReviewCase>(c => c.PredictionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SiteQueryConfiguration : IEntityTypeConfiguration<SiteQuery>
{
    public void Configure(EntityTypeBuilder<SiteQuery> b)
    {
        b.Property(q => q.Question).HaveMaxLengthAndRequire(4000);
        b.Property(q => q.RaisedBy).HaveMaxLengthAndRequire(450);
        b.Property(q => q.Answer).HasMaxLength(4000);
        b.Property(q => q.AnsweredBy).HasMaxLength(450);
        b.HasIndex(q => new { q.SiteId, q.Status });
        b.HasIndex(q => q.PredictionId);
        b.HasOne(q => q.Prediction).WithMany().HasForeignKey(q => q.PredictionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(q => q.Site).WithMany().HasForeignKey(q => q.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.Property(a => a.Actor).HaveMaxLengthAndRequire(256);
        b.Property(a => a.Action).HaveMaxLengthAndRequire(64);
        b.Property(a => a.EntityType).HasMaxLength(64);
        b.Property(a => a.EntityId).HasMaxLength(64);
        b.Property(a => a.PreviousHash).HasMaxLength(64);
        b.Property(a => a.Hash).HasMaxLength(64);
        b.HasIndex(a => a.OccurredUtc);
        b.HasIndex(a => a.Sequence).IsUnique();
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<Data.AuditChainHead>
{
    public void Configure(EntityTypeBuilder<Data.AuditChainHead> b)
    {
        b.ToTable("AuditChainHeads");
        b.HasKey(h => h.Id);
        b.Property(h => h.Id).ValueGeneratedNever();
        b.Property(h => h.Events).IsConcurrencyToken();
        b.Property(h => h.LastHash).HasMaxLength(64);
        b.HasData(new Data.AuditChainHead { Id = Data.AuditChainHead.SingletonId, Events = 0, LastHash = null });
    }
}

internal sealed class SiteAssignmentConfiguration : IEntityTypeConfiguration<SiteAssignment>
{
    public void Configure(EntityTypeBuilder<SiteAssignment> b)
    {
        b.HasKey(a => new { a.UserId, a.SiteId });
        b.Property(a => a.UserId).HasMaxLength(450);
        b.HasOne<Identity.DerbyUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(a => a.Site).WithMany().HasForeignKey(a => a.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ImportRunConfiguration : IEntityTypeConfiguration<ImportRun>
{
    public void Configure(EntityTypeBuilder<ImportRun> b)
    {
        b.Property(r => r.FileName).HaveMaxLengthAndRequire(128);
        b.Property(r => r.FileSha256).HaveMaxLengthAndRequire(64);
        b.Property(r => r.RequestedBy).HaveMaxLengthAndRequire(256);
        b.Ignore(r => r.Progress);
        b.HasIndex(r => new { r.SiteId, r.Kind, r.FileSha256 });
        b.HasOne(r => r.Site).WithMany().HasForeignKey(r => r.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}
