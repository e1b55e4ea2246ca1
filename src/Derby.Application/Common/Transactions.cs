using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Common;

/// <summary>
/// One unit of work in one database transaction, run by the provider's execution strategy (ADR 25): SQL Server's
/// retrying strategy, and the SQLite one, refuse a transaction opened outside it. Each attempt gets a fresh context and a
/// new transaction, so a retried attempt starts from what is committed, never from a half-tracked state.
/// </summary>
public static class Transactions
{
    /// <summary>Runs <paramref name="work"/> (which saves its changes) and commits; a transient failure reruns it whole.</summary>
    public static async Task InTransactionAsync(this IDerbyDbContextFactory factory, Func<IDerbyDbContext, Task> work, CancellationToken cancellationToken)
    {
        await using var probe = await factory.CreateAsync(cancellationToken);
        await probe.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var db = await factory.CreateAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await work(db);
            await transaction.CommitAsync(cancellationToken);
        });
    }
}
