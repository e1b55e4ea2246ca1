namespace Derby.Application.Common;

/// <summary>One context per operation (Blazor Server circuits live long; contexts must not).</summary>
public interface IDerbyDbContextFactory
{
    Task<IDerbyDbContext> CreateAsync(CancellationToken cancellationToken = default);
}
