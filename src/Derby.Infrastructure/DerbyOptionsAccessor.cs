using Microsoft.Extensions.Options;

namespace Derby.Infrastructure;

/// <summary>The validated options, resolved once.</summary>
public sealed class DerbyOptionsAccessor(IOptions<DerbyOptions> options)
{
    public DerbyOptions Value { get; } = options.Value;
}
