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

        foreach (var role in DerbyRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        return pending;
    }
}
