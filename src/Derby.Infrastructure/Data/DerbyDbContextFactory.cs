using Derby.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Data;

internal sealed class DerbyDbContextFactory(IDbContextFactory<DerbyDbContext> inner) : IDerbyDbContextFactory
{
    public async Task<IDerbyDbContext> CreateAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
