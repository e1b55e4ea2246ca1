using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Derby.Infrastructure.Data;

/// <summary>
/// Retries an operation that SQLite refused because another connection held the database (SQLITE_BUSY, SQLITE_LOCKED)
/// beyond the connection's busy timeout: the web process and the workers share one file (ADR 25). It also makes the
/// SQLite default take the same path as SQL Server's retrying strategy, so that a user transaction opened outside the
/// strategy, which SQL Server refuses, fails the tests here too.
/// </summary>
public sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, maxRetryCount: 5, maxRetryDelay: TimeSpan.FromSeconds(5))
{
    private const int Busy = 5;
    private const int Locked = 6;

    // EF wraps what the provider throws (a failed save is a DbUpdateException): the SQLite error is looked for inside.
    protected override bool ShouldRetryOn(Exception exception) =>
        CallOnWrappedException(exception, e => e is SqliteException { SqliteErrorCode: Busy or Locked });
}
