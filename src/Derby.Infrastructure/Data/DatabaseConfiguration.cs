using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Data;

/// <summary>The provider switch: one model, two providers, each with its own migrations assembly.</summary>
public static class DatabaseConfiguration
{
    public const string SqliteMigrationsAssembly = "Derby.Migrations.Sqlite";
    public const string SqlServerMigrationsAssembly = "Derby.Migrations.SqlServer";

    public static string SqliteConnectionString(DerbyOptions options) =>
        options.Database.ConnectionString is { Length: > 0 } cs
            ? cs
            : new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(options.DataPath, "derby.db"),
                // Shared cache off, pooling on; a busy timeout so that a job's write and a page's write wait rather than fail.
                DefaultTimeout = 30,
                Pooling = true,
            }.ToString();

    public static void Configure(DbContextOptionsBuilder builder, DerbyOptions options)
    {
        switch (options.Database.Provider)
        {
            case DatabaseProvider.Sqlite:
                builder.UseSqlite(SqliteConnectionString(options), sql =>
                {
                    sql.MigrationsAssembly(SqliteMigrationsAssembly);
                    sql.ExecutionStrategy(d => new SqliteRetryingExecutionStrategy(d));
                });
                break;
            case DatabaseProvider.SqlServer:
                var cs = options.Database.ConnectionString;
                if (string.IsNullOrWhiteSpace(cs))
                {
                    throw new InvalidOperationException(
                        "Derby:Database:ConnectionString is required when Derby:Database:Provider is SqlServer");
                }

                builder.UseSqlServer(cs, sql =>
                {
                    sql.MigrationsAssembly(SqlServerMigrationsAssembly);
                    sql.EnableRetryOnFailure();
                });
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{options.Database.Provider}'");
        }
    }
}
