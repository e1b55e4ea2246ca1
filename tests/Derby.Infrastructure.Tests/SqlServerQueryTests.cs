using System.Data;
using System.Data.Common;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Reviews;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// Queries written for SQLite must also translate on SQL Server, where no server runs here: the use cases run against a
/// SQL Server context whose connection is never opened and whose commands are answered empty by an interceptor, which
/// records the SQL. A LINQ query SQL Server's provider cannot translate throws before any command, and fails the test.
/// </summary>
public sealed class SqlServerQueryTests
{
    private static readonly AccessScope Reviewer = new("reviewer", new HashSet<string> { DerbyRoles.Reviewer }, new HashSet<int>());

    [Fact]
    public async Task ReviewQueueAndTaskQueries_TranslateOnSqlServer()
    {
        var offline = new OfflineSqlServer();
        var reviews = new ReviewService(offline, null!, null!, null!, null!);

        var page = await reviews.QueueAsync(Reviewer, new ReviewQueueFilter("ZSH", "training", "derby-1", ReviewStatus.Disagreed, true, false, 2, 25));
        var tasks = await reviews.TasksAsync(new AccessScope("c", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { 1 }), includeAnswered: false);

        Assert.Equal(0, page.Total);
        Assert.Empty(tasks);
        Assert.Equal(3, offline.Commands.Count);
        Assert.Contains("COUNT(*)", offline.Commands[0]);
        // The queue's left join to the review cases, its filters in SQL, and SQL Server's paging.
        Assert.Contains("LEFT JOIN [ReviewCases]", offline.Commands[1]);
        Assert.Contains("[CohortMemberships]", offline.Commands[1]);
        Assert.Contains("OFFSET @", offline.Commands[1]);
        Assert.Contains("[SiteQueries]", offline.Commands[2]);
    }

    /// <summary>A SQL Server context factory that never connects: every command gets an empty answer (a 0 for a count) and its SQL is kept.</summary>
    private sealed class OfflineSqlServer : DbConnectionInterceptor, IDerbyDbContextFactory, IDbCommandInterceptor
    {
        public List<string> Commands { get; } = [];

        public Task<IDerbyDbContext> CreateAsync(CancellationToken cancellationToken = default)
        {
            var options = new DbContextOptionsBuilder<DerbyDbContext>()
                .UseSqlServer("Server=127.0.0.1,1;Database=Derby;Connect Timeout=1")
                .AddInterceptors(this)
                .Options;
            return Task.FromResult<IDerbyDbContext>(new DerbyDbContext(options));
        }

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
            CancellationToken cancellationToken = default) => ValueTask.FromResult(InterceptionResult.Suppress());

        public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            InterceptionResult.Suppress();

        public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            ValueTask.FromResult(InterceptionResult.Suppress());

        public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            var table = new DataTable();
            if (command.CommandText.TrimStart().StartsWith("SELECT COUNT(*)", StringComparison.Ordinal))
            {
                table.Columns.Add("count", typeof(int));
                table.Rows.Add(0);
            }

            return ValueTask.FromResult(InterceptionResult<DbDataReader>.SuppressWithResult(table.CreateDataReader()));
        }
    }
}
