using Derby.Application.Common;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// ADR 25: the SQLite default runs every unit of work through a retrying execution strategy, as SQL Server does. A
/// transaction opened outside the strategy is refused (SQL Server's rule, now failing here too), and a write that meets a
/// database locked by another process beyond the busy timeout is retried whole, once committed.
/// </summary>
public sealed class ExecutionStrategyTests
{
    [Fact]
    public async Task ATransactionOutsideTheStrategy_IsRefused_AsSqlServerRefusesIt()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await using var context = db.Context();

        await using var transaction = await context.Database.BeginTransactionAsync();
        context.Studies.Add(new Derby.Domain.Study { Code = "OUTSIDE", Title = "Never written" });
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());
        Assert.Contains("does not support user-initiated transactions", refused.Message);
    }

    [Fact]
    public async Task AWriteMeetingALockedDatabase_IsRetriedWhole_AndCommittedOnce()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        var file = Path.Combine(db.DataDirectory, "derby.db");
        // A one-second busy timeout, so that the lock below outlasts it and the strategy, not the timeout, has to cope.
        var factory = new Factory($"Data Source={file};Default Timeout=1;Pooling=False");
        await using (var blocker = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await blocker.OpenAsync();
            await using (var lockIt = blocker.CreateCommand())
            {
                lockIt.CommandText = "BEGIN IMMEDIATE";
                await lockIt.ExecuteNonQueryAsync();
            }

            var write = factory.InTransactionAsync(async context =>
            {
                context.Studies.Add(new Derby.Domain.Study { Code = "RETRY", Title = "Written once" });
                await context.SaveChangesAsync();
            }, CancellationToken.None);

            // Held for 2.5 s: the first attempt's transaction start waits its second and fails busy; a later attempt gets through once
            // the lock is released.
            await Task.Delay(2500);
            await using (var release = blocker.CreateCommand())
            {
                release.CommandText = "ROLLBACK";
                await release.ExecuteNonQueryAsync();
            }

            await write;
            // One context to ask for the strategy, then one per attempt: the transaction's start met the lock and was tried again.
            Assert.True(factory.Created >= 3, $"the write was not retried ({factory.Created - 1} attempt)");
        }

        await using var check = db.Context();
        Assert.Equal(1, await check.Studies.CountAsync(s => s.Code == "RETRY"));
    }

    private sealed class Factory(string connectionString) : IDerbyDbContextFactory
    {
        public int Created { get; private set; }

        public Task<IDerbyDbContext> CreateAsync(CancellationToken cancellationToken = default)
        {
            Created++;
            var options = new DbContextOptionsBuilder<DerbyDbContext>();
            DatabaseConfiguration.Configure(options, new DerbyOptions { Database = { Provider = DatabaseProvider.Sqlite, ConnectionString = connectionString } });
            return Task.FromResult<IDerbyDbContext>(new DerbyDbContext(options.Options));
        }
    }
}
