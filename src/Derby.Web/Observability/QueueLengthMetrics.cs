using System.Diagnostics.Metrics;
using Derby.Application.Common;
using Derby.Infrastructure.Jobs;
using Hangfire;

namespace Derby.Web.Observability;

/// <summary>
/// <c>derby.jobs.queue.length</c>: an observable gauge of the enqueued jobs per queue (<c>job.queue</c>), read from the
/// shared job storage's monitoring API when a metrics reader collects. Every role reports it: any process sees the same
/// storage, so a dashboard can take the value from any one of them.
/// </summary>
internal sealed class QueueLengthMetrics(IMeterFactory meters, JobStorage storage, ILogger<QueueLengthMetrics> logger) : IHostedService
{
    private Meter? meter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        meter = meters.Create(DerbyTelemetry.Name);
        meter.CreateObservableGauge("derby.jobs.queue.length", Observe, "{job}", "Enqueued jobs per queue");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<long>> Observe()
    {
        try
        {
            return JobDiagnostics.QueueLengths(storage.GetMonitoringApi())
                .Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("job.queue", q.Key)))
                .ToList();
        }
        catch (Exception ex)
        {
            // A metrics collection must not throw into the exporter; the readiness check reports a storage outage.
            logger.LogDebug(ex, "Queue lengths not readable");
            return [];
        }
    }
}
