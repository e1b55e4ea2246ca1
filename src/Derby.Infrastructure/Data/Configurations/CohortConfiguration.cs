using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class CohortConfiguration : IEntityTypeConfiguration<Cohort>
{
    public void Configure(EntityTypeBuilder<Cohort> b)
    {
        b.Property(c => c.Code).HaveMaxLengthAndRequire(32);
        b.Property(c => c.Name).HaveMaxLengthAndRequire(200);
        b.Property(c => c.Description).HasMaxLength(1000);
        b.HasIndex(c => new { c.StudyId, c.Code }).IsUnique();
        b.HasOne(c => c.Study).WithMany(s => s.Cohorts).HasForeignKey(c => c.StudyId).OnDelete(DeleteBehavior.Restrict);
    }
}
