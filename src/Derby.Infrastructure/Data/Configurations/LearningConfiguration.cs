using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class NetworkModelConfiguration : IEntityTypeConfiguration<NetworkModel>
{
    public void Configure(EntityTypeBuilder<NetworkModel> b)
    {
        b.Property(n => n.Version).HaveMaxLengthAndRequire(64);
        b.HasIndex(n => n.Version).IsUnique();
        b.Property(n => n.SettingsJson).HaveMaxLengthAndRequire(2000);
        b.Property(n => n.HistoryJson);
        b.Property(n => n.CheckpointSha256).HasMaxLength(64);
        b.Property(n => n.Error).HasMaxLength(2000);
        b.Property(n => n.RequestedBy).HaveMaxLengthAndRequire(256);
        b.HasOne(n => n.Cohort).WithMany().HasForeignKey(n => n.CohortId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FeatureSetConfiguration : IEntityTypeConfiguration<FeatureSet>
{
    public void Configure(EntityTypeBuilder<FeatureSet> b)
    {
        b.Property(f => f.Sha256).HaveMaxLengthAndRequire(64);
        b.HasIndex(f => new { f.NetworkModelId, f.PairSetId }).IsUnique();
        b.HasOne(f => f.NetworkModel).WithMany().HasForeignKey(f => f.NetworkModelId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(f => f.PairSet).WithMany().HasForeignKey(f => f.PairSetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MixtureModelConfiguration : IEntityTypeConfiguration<MixtureModel>
{
    public void Configure(EntityTypeBuilder<MixtureModel> b)
    {
        b.Property(m => m.CovarianceType).HaveMaxLengthAndRequire(16);
        b.Property(m => m.BicJson).HaveMaxLengthAndRequire(4000);
        b.Property(m => m.ParametersSha256).HaveMaxLengthAndRequire(64);
        b.HasIndex(m => m.NetworkModelId);
        b.HasOne(m => m.NetworkModel).WithMany().HasForeignKey(m => m.NetworkModelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PairImageFeatureConfiguration : IEntityTypeConfiguration<PairImageFeature>
{
    public void Configure(EntityTypeBuilder<PairImageFeature> b)
    {
        b.Property(p => p.ResponsibilitiesJson).HaveMaxLengthAndRequire(4000);
        b.HasIndex(p => new { p.MixtureModelId, p.ImagePairId }).IsUnique();
        b.HasOne(p => p.MixtureModel).WithMany().HasForeignKey(p => p.MixtureModelId).OnDelete(DeleteBehavior.Cascade);
        // Restrict: on SQL Server a second cascade path to the pair (via the mixture's network) is refused.
        b.HasOne(p => p.ImagePair).WithMany().HasForeignKey(p => p.ImagePairId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class GradCamSetConfiguration : IEntityTypeConfiguration<GradCamSet>
{
    public void Configure(EntityTypeBuilder<GradCamSet> b)
    {
        b.Property(g => g.Sha256).HaveMaxLengthAndRequire(64);
        b.HasIndex(g => new { g.NetworkModelId, g.PairSetId }).IsUnique();
        b.HasOne(g => g.NetworkModel).WithMany().HasForeignKey(g => g.NetworkModelId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(g => g.PairSet).WithMany().HasForeignKey(g => g.PairSetId).OnDelete(DeleteBehavior.Cascade);
    }
}
