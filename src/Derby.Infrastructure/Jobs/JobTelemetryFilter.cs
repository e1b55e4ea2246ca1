using System.Diagnostics;
using System.Reflection;
using Derby.Application.Common;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Jobs;

/// <summary>
/// Around every job execution on this process's server: a log scope (JobId, JobType, Queue), a span from the "Derby"
/// activity source, and the job counters and duration of <see cref="DerbyTelemetry"/>. Hangfire calls OnPerforming and
/// OnPerformed synchronously around the job on the worker's thread, so the scope and the current activity set here are
/// those of the job's own code and logs.
/// </summary>
public sealed class JobTelemetryFilter(ILogger<JobTelemetryFilter> logger) : IServerFilter
{
    private const string StateKey = "derby.telemetry";

    public void OnPerforming(PerformingContext context)
    {
        var job = context.BackgroundJob.Job;
        var type = job is null ? "unknown" : $"{job.Type.Name}.{job.Method.Name}";
        var queue = QueueOf(job);
        var tags = new TagList { { "job.type", type }, { "job.queue", queue } };
        var scope = logger.BeginScope("Job {JobId} {JobType} on {Queue}", context.BackgroundJob.Id, type, queue);
        var activity = DerbyTelemetry.ActivitySource.StartActivity($"job {type}", ActivityKind.Consumer);
        activity?.SetTag("job.id", context.BackgroundJob.Id);
        activity?.SetTag("job.type", type);
        activity?.SetTag("job.queue", queue);
        DerbyTelemetry.JobsStarted.Add(1, tags);
        context.Items[StateKey] = new State(tags, scope, activity, Stopwatch.GetTimestamp());
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(StateKey, out var value) is false || value is not State state)
        {
            return;
        }

        var failed = context.Exception is not null && !context.ExceptionHandled;
        var tags = state.Tags;
        (failed ? DerbyTelemetry.JobsFailed : DerbyTelemetry.JobsSucceeded).Add(1, tags);
        tags.Add("job.outcome", failed ? "failed" : "succeeded");
        DerbyTelemetry.JobDuration.Record(Stopwatch.GetElapsedTime(state.Started).TotalSeconds, tags);
        if (failed)
        {
            state.Activity?.SetStatus(ActivityStatusCode.Error, context.Exception!.GetType().Name);
        }

        state.Activity?.Dispose();
        state.Scope?.Dispose();
    }

    /// <summary>The queue a job was enqueued to: its explicit queue, else its [Queue] attribute, else "default".</summary>
    public static string QueueOf(Hangfire.Common.Job? job) =>
        job?.Queue
        ?? job?.Method.GetCustomAttribute<QueueAttribute>()?.Queue
        ?? job?.Type.GetCustomAttribute<QueueAttribute>()?.Queue
        ?? "default";

    private sealed record State(TagList Tags, IDisposable? Scope, Activity? Activity, long Started);
}
