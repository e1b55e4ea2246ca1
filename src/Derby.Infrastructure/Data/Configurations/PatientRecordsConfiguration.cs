using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class ClinicalRecordConfiguration : IEntityTypeConfiguration<ClinicalRecord>
{
    public void Configure(EntityTypeBuilder<ClinicalRecord> b) => b.HasKey(c => c.PatientId);
}

internal sealed class BiopsyScoresConfiguration : IEntityTypeConfiguration<BiopsyScores>
{
    public void Configure(EntityTypeBuilder<BiopsyScores> b)
    {
        b.HasKey(c => c.PatientId);
        b.Property(c => c.Glut1Antibody).HasMaxLength(64);
        b.Property(c => c.PkmAntibody).HasMaxLength(64);
        b.Property(c => c.AnalysisMethod).HasMaxLength(64);
    }
}

internal sealed class OutcomeConfiguration : IEntityTypeConfiguration<Outcome>
{
    public void Configure(EntityTypeBuilder<Outcome> b)
    {
        b.HasKey(c => c.PatientId);
        b.Ignore(c => c.IsResponder);
    }
}
