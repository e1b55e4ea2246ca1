using Derby.Application;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Derby.Infrastructure.Tests;

/// <summary>Job storage follows the database provider: SQLite file storage by default, SQL Server storage with SQL Server.</summary>
public sealed class JobStorageTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddApplicationServices().AddInfrastructureServices();
        return builder.Build();
    }

    [Fact]
    public void SqliteProvider_StoresJobsInTheDataFolder()
    {
        var data = Path.Combine(Path.GetTempPath(), "derby-jobstorage", Guid.NewGuid().ToString("N"));
        using var host = Build(new() { ["Derby:DataDirectory"] = data });

        var storage = host.Services.GetRequiredService<JobStorage>();

        Assert.Equal("Hangfire.Storage.SQLite.SQLiteStorage", storage.GetType().FullName);
        Assert.True(File.Exists(Path.Combine(data, "hangfire.db")));
    }

    [Fact]
    public void SqlServerProvider_UsesSqlServerJobStorage_WithTheRecommendedSettings()
    {
        using var host = Build(new()
        {
            ["Derby:DataDirectory"] = Path.GetTempPath(),
            ["Derby:Database:Provider"] = "SqlServer",
            // Nothing listens there; nothing is contacted.
            ["Derby:Database:ConnectionString"] = "Server=127.0.0.1,1;Database=Derby;User Id=derby;Password=x;Connect Timeout=2;TrustServerCertificate=true",
        });

        // Built lazily: nothing is contacted until a job is queued or a server starts.
        var storage = host.Services.GetRequiredService<JobStorage>();

        Assert.Equal("Hangfire.SqlServer.SqlServerStorage", storage.GetType().FullName);
        var options = (Hangfire.SqlServer.SqlServerStorageOptions)storage.GetType()
            .GetField("_options", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(storage)!;
        Assert.Equal("hangfire", options.SchemaName);
        Assert.True(options.DisableGlobalLocks);
        Assert.Equal(TimeSpan.Zero, options.QueuePollInterval);
    }
}
