using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> b)
    {
        b.Property(s => s.Code).HaveMaxLengthAndRequire(12);
        b.Property(s => s.Name).HaveMaxLengthAndRequire(200);
        b.HasIndex(s => s.Code).IsUnique();
        b.HasOne(s => s.Study).WithMany(s => s.Sites).HasForeignKey(s => s.StudyId).OnDelete(DeleteBehavior.Restrict);
    }
}
