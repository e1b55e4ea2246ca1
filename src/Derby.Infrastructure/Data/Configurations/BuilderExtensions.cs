using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Derby.Infrastructure.Data.Configurations;

internal static class BuilderExtensions
{
    public static PropertyBuilder<string> HaveMaxLengthAndRequire(this PropertyBuilder<string> property, int length) =>
        property.HasMaxLength(length).IsRequired();
}
