using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class SiteApiTokenConfiguration : IEntityTypeConfiguration<SiteApiToken>
{
    public void Configure(EntityTypeBuilder<SiteApiToken> b)
    {
        b.Property(t => t.Name).HaveMaxLengthAndRequire(100);
        b.Property(t => t.TokenHash).HaveMaxLengthAndRequire(64);
        b.Property(t => t.Prefix).HaveMaxLengthAndRequire(8);
        b.Property(t => t.CreatedBy).HaveMaxLengthAndRequire(256);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasOne(t => t.Site).WithMany().HasForeignKey(t => t.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}
