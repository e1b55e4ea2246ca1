using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class CohortMembershipConfiguration : IEntityTypeConfiguration<CohortMembership>
{
    public void Configure(EntityTypeBuilder<CohortMembership> b)
    {
        b.HasKey(m => new { m.CohortId, m.PatientId });
        b.HasOne(m => m.Cohort).WithMany(c => c.Members).HasForeignKey(m => m.CohortId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(m => m.Patient).WithMany(p => p.Cohorts).HasForeignKey(m => m.PatientId).OnDelete(DeleteBehavior.Cascade);
    }
}
