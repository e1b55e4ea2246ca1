using Derby.Infrastructure.Data;
using Derby.Infrastructure.Jobs;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Derby.Infrastructure.Health;

/// <summary>
/// The readiness checks, tagged "ready": database, file stores, job storage (and this process's job server, where it
/// runs one). Their descriptions name no path, connection string or exception text: the endpoints are anonymous.
/// </summary>
public static class DerbyHealthChecks
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddDerbyHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<JobStorageHealthCheck>("jobs", tags: [ReadyTag]);
        return services;
    }
}

/// <summary>The database answers and has every migration this build knows.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<DerbyDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("database not reachable");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{pending} migration(s) not applied");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"database error ({ex.GetType().Name})");
        }
    }
}

/// <summary>The data folder's DICOM and artefact stores can be listed, written, read back and cleaned.</summary>
internal sealed class StoreHealthCheck(DerbyOptionsAccessor options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var store in new[] { "dicom", "store" })
        {
            try
            {
                var folder = Directory.CreateDirectory(Path.Combine(options.Value.DataPath, store));
                _ = folder.EnumerateFileSystemInfos().Take(1).ToList();
                var probe = Path.Combine(folder.FullName, $".health-{Environment.ProcessId}-{Guid.NewGuid():N}");
                var payload = Guid.NewGuid().ToString("N");
                await File.WriteAllTextAsync(probe, payload, cancellationToken);
                var back = await File.ReadAllTextAsync(probe, cancellationToken);
                File.Delete(probe);
                if (back != payload)
                {
                    return HealthCheckResult.Unhealthy($"{store} store read back other bytes");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return HealthCheckResult.Unhealthy($"{store} store not readable and writable ({ex.GetType().Name})");
            }
        }

        return HealthCheckResult.Healthy();
    }
}

/// <summary>
/// The job storage answers; in a process that runs a job server, that server is registered and its heartbeat is recent
/// (Hangfire beats every 30 s by default; a minute without one means the server is gone or stuck).
/// </summary>
internal sealed class JobStorageHealthCheck(JobStorage storage, IServiceProvider services) : IHealthCheck
{
    private static readonly TimeSpan HeartbeatLimit = TimeSpan.FromMinutes(1);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var monitoring = storage.GetMonitoringApi();
            var servers = monitoring.Servers();
            var identity = services.GetService<JobServerIdentity>();
            if (identity is null)
            {
                _ = monitoring.GetStatistics();
                return Task.FromResult(HealthCheckResult.Healthy("no job server in this process"));
            }

            var own = servers.FirstOrDefault(s => s.Name.StartsWith(identity.ServerName + ":", StringComparison.OrdinalIgnoreCase)
                || string.Equals(s.Name, identity.ServerName, StringComparison.OrdinalIgnoreCase));
            if (own is null)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("job server not registered"));
            }

            var age = DateTime.UtcNow - (own.Heartbeat ?? DateTime.MinValue);
            return Task.FromResult(age <= HeartbeatLimit
                ? HealthCheckResult.Healthy($"job server on {string.Join(",", identity.Queues)}")
                : HealthCheckResult.Unhealthy("job server heartbeat is late"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"job storage error ({ex.GetType().Name})"));
        }
    }
}
