using Derby.Application.Audit;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Jobs;

/// <summary>
/// Every job run on this process's server is two audit events (ADR 20): <c>job.started</c> and <c>job.succeeded</c> or
/// <c>job.failed</c>, with the job's id, type, queue and server (and the error's type on failure), actor "system".
/// Hangfire calls the filter synchronously on the worker thread, which has no synchronisation context, so waiting here is
/// safe. An event that cannot be written is logged and does not fail the job: the job's own writes go to the same
/// database and fail on their own if it is down.
/// </summary>
public sealed class JobAuditFilter(IServiceScopeFactory scopes, JobServerIdentity server, ILogger<JobAuditFilter> logger) : IServerFilter
{
    public void OnPerforming(PerformingContext context) => Record(context.BackgroundJob, "job.started", null);

    public void OnPerformed(PerformedContext context)
    {
        var failed = context.Exception is not null && !context.ExceptionHandled;
        Record(context.BackgroundJob, failed ? "job.failed" : "job.succeeded", failed ? (context.Exception!.InnerException ?? context.Exception).GetType().Name : null);
    }

    private void Record(Hangfire.BackgroundJob job, string action, string? error)
    {
        var type = job.Job is null ? "unknown" : $"{job.Job.Type.Name}.{job.Job.Method.Name}";
        try
        {
            using var scope = scopes.CreateScope();
            scope.ServiceProvider.GetRequiredService<AuditService>()
                .RecordAsync("system", action, new { jobId = job.Id, type, queue = JobTelemetryFilter.QueueOf(job.Job), server = server.ServerName, error })
                .GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not write the audit event {Action} of job {JobId}", action, job.Id);
        }
    }
}
