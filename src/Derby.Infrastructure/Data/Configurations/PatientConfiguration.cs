using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class PatientConfiguration : IEntityTypeConfiguration<Patient>
{
    public void Configure(EntityTypeBuilder<Patient> b)
    {
        b.Property(p => p.Pseudonym).HaveMaxLengthAndRequire(40);
        b.HasIndex(p => p.Pseudonym).IsUnique();
        b.HasIndex(p => p.SiteId);
        b.HasOne(p => p.Site).WithMany(s => s.Patients).HasForeignKey(p => p.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(p => p.Clinical).WithOne().HasForeignKey<ClinicalRecord>(c => c.PatientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(p => p.Biopsy).WithOne().HasForeignKey<BiopsyScores>(c => c.PatientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(p => p.Outcome).WithOne().HasForeignKey<Outcome>(c => c.PatientId).OnDelete(DeleteBehavior.Cascade);
    }
}
