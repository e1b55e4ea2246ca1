using Derby.Application.Common;
using Derby.Infrastructure.Health;
using Derby.Web.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Derby.Web.Observability;

public static class ObservabilityServices
{
    /// <summary>
    /// Health checks, and OpenTelemetry traces (ASP.NET Core, HttpClient, the "Derby" source: one span per job) and metrics
    /// (ASP.NET Core, HttpClient, the "Derby" meter: jobs, queue lengths, uploads). Exported over OTLP only when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads it and the other OTEL_* variables itself).
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder, ProcessRole role)
    {
        builder.Services.AddDerbyHealthChecks();
        builder.Services.AddHostedService<QueueLengthMetrics>();

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService("derby", serviceInstanceId: $"{role.ToString().ToLowerInvariant()}-{Environment.MachineName}-{Environment.ProcessId}")
                .AddAttributes([new KeyValuePair<string, object>("derby.role", role.ToString().ToLowerInvariant())]))
            .WithTracing(tracing => tracing
                .AddSource(DerbyTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(DerbyTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }
}
