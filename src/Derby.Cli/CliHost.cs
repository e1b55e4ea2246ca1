using Derby.Application;
using Derby.Application.Common;
using Derby.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Derby.Cli;

/// <summary>
/// The same services as the web app, configured the same way (appsettings.json beside the binary, then
/// environment variables such as Derby__DataDirectory), minus the web and the job server: the command line runs
/// its work itself, in the foreground.
/// </summary>
internal static class CliHost
{
    public static IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A failed command or query is also thrown, and the command line reports the exception itself (one line, or the
        // migration advice); EF's own log of it would repeat it with a stack trace.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Query", LogLevel.None);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddSecretFiles();

        builder.AddApplicationServices().AddInfrastructureServices();
        builder.Services.AddSingleton<IBackgroundJobs, ForegroundJobs>();
        return builder.Build();
    }
}

/// <summary>Jobs asked for by a command are run by that command itself, right after it queues them.</summary>
internal sealed class ForegroundJobs : IBackgroundJobs
{
    public string EnqueueImport(Guid importRunId) => "foreground:" + importRunId;

    public string EnqueueSegmentation(Guid lesionId) => "foreground:" + lesionId;

    public string EnqueuePairs(Guid lesionId) => "foreground:" + lesionId;

    public string EnqueueTraining(Guid networkModelId) => "foreground:" + networkModelId;

    public string EnqueueExtraction(Guid networkModelId) => "foreground:" + networkModelId;

    public string EnqueueMixture(Guid networkModelId, int kMax, int dimensions) => "foreground:" + networkModelId;

    public string EnqueueModelTraining(int modelVersionId) => "foreground:" + modelVersionId;

    public string EnqueueScoring(int modelVersionId, string cohortCode) => "foreground:" + modelVersionId + ":" + cohortCode;

    public string EnqueuePatientScoring(int modelVersionId, Guid patientId) => "foreground:" + modelVersionId + ":" + patientId;
}
