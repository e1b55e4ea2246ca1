using Derby.Application.Access;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Data;

/// <summary>Applies pending migrations and the reference data every installation needs (the four roles).</summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<DerbyDbContext> dbFactory,
    RoleManager<IdentityRole> roles,
    DerbyOptionsAccessor options,
    ILogger<DatabaseInitializer> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(options.Value.DataPath);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        if (pending.Count > 0)
        {
            logger.LogInformation("Applied migrations: {Migrations}", string.Join(", ", pending));
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets pages read while a job writes; set once, it stays with the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await SealLegacyAuditEventsAsync(db, cancellationToken);

        foreach (var role in DerbyRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        return pending;
    }

    /// <summary>
    /// Events written before the audit chain existed (they have no sequence) are chained once, in the order they were
    /// written. That happens at the first start after the migration, before any new event, so the chain is empty then;
    /// unsealed events in a chain that already holds events were written around it, and the start is refused.
    /// </summary>
    private static async Task SealLegacyAuditEventsAsync(DerbyDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.AuditEvents.AnyAsync(e => e.Sequence == null, cancellationToken))
        {
            return;
        }

        db.SealingLegacyEvents = true;
        try
        {
            var head = await db.AuditChainHeads.SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
            if (head.Events > 0)
            {
                throw new InvalidOperationException(
                    $"{await db.AuditEvents.CountAsync(e => e.Sequence == null, cancellationToken)} audit events have no place in a chain that already holds {head.Events}: they were written around the chain. Run `derby audit verify`.");
            }

            var legacy = await db.AuditEvents.Where(e => e.Sequence == null).OrderBy(e => e.Id).ToListAsync(cancellationToken);
            AuditChain.Append(head, legacy);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.SealingLegacyEvents = false;
        }
    }

    /// <summary>The migrations this build knows that the database lacks (all of them for a database not yet created).</summary>
    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }

    /// <summary>
    /// For processes that must not migrate (workers): waits up to <paramref name="timeout"/> for the database to have
    /// every migration this build knows (the web role or <c>derby db migrate</c> applies them), then fails with what is missing.
    /// </summary>
    public async Task WaitForSchemaAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<string> pending;
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                pending = [$"(database not reachable: {ex.GetType().Name})"];
            }

            if (pending.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException(
                    $"The database is not migrated ({pending.Count} migration(s) missing, first: {pending[0]}). A worker does not migrate: " +
                    "start the web role once (it applies migrations at start) or run 'derby db migrate', then start the worker again.");
            }

            logger.LogInformation("Waiting for the database schema: {Count} migration(s) missing", pending.Count);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
