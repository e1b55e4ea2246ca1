using Hangfire;
using Hangfire.SqlServer;
using Hangfire.Storage.SQLite;

namespace Derby.Infrastructure.Jobs;

/// <summary>Job storage follows the database provider: an embedded SQLite file, or the SQL Server database.</summary>
public static class HangfireConfiguration
{
    public static void Configure(IGlobalConfiguration config, DerbyOptions options)
    {
        config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings();

        switch (options.Database.Provider)
        {
            case DatabaseProvider.Sqlite:
                Directory.CreateDirectory(options.DataPath);
                config.UseSQLiteStorage(Path.Combine(options.DataPath, "hangfire.db"), new SQLiteStorageOptions
                {
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                });
                break;
            case DatabaseProvider.SqlServer:
                // The settings Hangfire's documentation recommends for SQL Server 2016+ in production.
                config.UseSqlServerStorage(options.Database.ConnectionString, new SqlServerStorageOptions
                {
                    CommandBatchMaxTimeout = TimeSpan.FromMinutes(5),
                    SlidingInvisibilityTimeout = TimeSpan.FromMinutes(5),
                    QueuePollInterval = TimeSpan.Zero,
                    UseRecommendedIsolationLevel = true,
                    DisableGlobalLocks = true,
                    SchemaName = "hangfire",
                });
                break;
        }
    }
}
