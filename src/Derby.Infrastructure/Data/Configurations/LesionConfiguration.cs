using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class LesionConfiguration : IEntityTypeConfiguration<Lesion>
{
    public void Configure(EntityTypeBuilder<Lesion> b)
    {
        b.Property(l => l.SettingsJson).HaveMaxLengthAndRequire(2000);
        b.Property(l => l.InputsSha256).HaveMaxLengthAndRequire(64);
        b.Property(l => l.Error).HasMaxLength(2000);
        b.Property(l => l.ThresholdHistoryJson).HasMaxLength(4000);
        b.Property(l => l.WarningsJson).HasMaxLength(4000);
        b.Property(l => l.RequestedBy).HaveMaxLengthAndRequire(256);
        b.Property(l => l.DecidedBy).HasMaxLength(256);
        b.HasIndex(l => new { l.PatientId, l.Status });
        b.HasIndex(l => l.InputsSha256);
        b.HasOne(l => l.Patient).WithMany().HasForeignKey(l => l.PatientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(l => l.PetSeries).WithMany().HasForeignKey(l => l.PetSeriesId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PairSetConfiguration : IEntityTypeConfiguration<PairSet>
{
    public void Configure(EntityTypeBuilder<PairSet> b)
    {
        b.Property(p => p.SettingsJson).HaveMaxLengthAndRequire(2000);
        b.Property(p => p.Sha256).HaveMaxLengthAndRequire(64);
        b.HasIndex(p => new { p.LesionId, p.CtSeriesId, p.SettingsJson }).IsUnique();
        b.HasOne(p => p.Lesion).WithMany(l => l.PairSets).HasForeignKey(p => p.LesionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(p => p.CtSeries).WithMany().HasForeignKey(p => p.CtSeriesId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ImagePairConfiguration : IEntityTypeConfiguration<ImagePair>
{
    public void Configure(EntityTypeBuilder<ImagePair> b)
    {
        b.Property(p => p.CtSlices).HaveMaxLengthAndRequire(64);
        b.HasIndex(p => new { p.PairSetId, p.Index }).IsUnique();
        b.HasOne(p => p.PairSet).WithMany(s => s.Pairs).HasForeignKey(p => p.PairSetId).OnDelete(DeleteBehavior.Cascade);
    }
}
