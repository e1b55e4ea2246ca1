using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Derby.Web.FunctionalTests;

/// <summary>In-memory trace and metric exporters added to the app's own OpenTelemetry providers.</summary>
internal static class InMemoryTelemetry
{
    public static void Add(IServiceCollection services, List<Activity> activities, List<Metric> metrics) =>
        services.AddOpenTelemetry()
            .WithTracing(t => t.AddInMemoryExporter(activities))
            .WithMetrics(m => m.AddInMemoryExporter(metrics, o => o.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative));

    /// <summary>Makes the metric reader collect and export now.</summary>
    public static void Flush(IServiceProvider services) => services.GetRequiredService<MeterProvider>().ForceFlush();
}
