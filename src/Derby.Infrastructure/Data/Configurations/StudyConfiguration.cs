using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal sealed class StudyConfiguration : IEntityTypeConfiguration<Study>
{
    public void Configure(EntityTypeBuilder<Study> b)
    {
        b.Property(s => s.Code).HaveMaxLengthAndRequire(32);
        b.Property(s => s.Title).HaveMaxLengthAndRequire(300);
        b.HasIndex(s => s.Code).IsUnique();
    }
}
