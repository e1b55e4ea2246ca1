using Derby.Application.Imports;
using Hangfire;

namespace Derby.Infrastructure.Jobs;

/// <summary>Hangfire entry point for a CSV import. The use case is idempotent, so retries and restarts are safe.</summary>
public sealed class ImportJob(CsvImportService imports)
{
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task RunAsync(Guid importRunId, CancellationToken cancellationToken) => imports.RunAsync(importRunId, cancellationToken);
}
