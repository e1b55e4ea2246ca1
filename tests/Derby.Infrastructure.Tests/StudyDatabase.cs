using Derby.Application;
using Derby.Application.Common;
using Derby.Application.Study;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Derby.Infrastructure.Tests;

/// <summary>A real SQLite study database in a fresh temporary data folder, with the app's own services.</summary>
public sealed class StudyDatabase : IAsyncDisposable
{
    private StudyDatabase(IHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
    }

    public IHost Host { get; }

    public string DataDirectory { get; }

    public RecordingJobs Jobs => (RecordingJobs)Host.Services.GetRequiredService<IBackgroundJobs>();

    public static async Task<StudyDatabase> CreateAsync(bool withDemoStudy = true)
    {
        var data = Path.Combine(Path.GetTempPath(), "derby-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Derby:DataDirectory"] = data });
        builder.AddApplicationServices().AddInfrastructureServices();
        builder.Services.AddSingleton<IBackgroundJobs, RecordingJobs>();
        var host = builder.Build();
        var db = new StudyDatabase(host, data);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync();
        if (withDemoStudy)
        {
            await scope.ServiceProvider.GetRequiredService<DemoStudy>().EnsureAsync();
        }

        return db;
    }

    public T Get<T>() where T : notnull => Host.Services.CreateScope().ServiceProvider.GetRequiredService<T>();

    public DerbyDbContext Context() => Host.Services.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.Yield();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a just-ended child process; the temp folder is cleaned up by the OS.
        }
    }
}

/// <summary>Records queued jobs instead of running them, so a test decides when (and how often) a job runs.</summary>
public sealed class RecordingJobs : IBackgroundJobs
{
    public List<Guid> Imports { get; } = [];

    public List<Guid> Segmentations { get; } = [];

    public List<Guid> PairBuilds { get; } = [];

    public List<Guid> Trainings { get; } = [];

    public List<Guid> Extractions { get; } = [];

    public List<(Guid Network, int KMax, int Dimensions)> Mixtures { get; } = [];

    public string EnqueueImport(Guid importRunId)
    {
        Imports.Add(importRunId);
        return importRunId.ToString();
    }

    public string EnqueueSegmentation(Guid lesionId)
    {
        Segmentations.Add(lesionId);
        return lesionId.ToString();
    }

    public string EnqueuePairs(Guid lesionId)
    {
        PairBuilds.Add(lesionId);
        return lesionId.ToString();
    }

    public string EnqueueTraining(Guid networkModelId)
    {
        Trainings.Add(networkModelId);
        return networkModelId.ToString();
    }

    public string EnqueueExtraction(Guid networkModelId)
    {
        Extractions.Add(networkModelId);
        return networkModelId.ToString();
    }

    public string EnqueueMixture(Guid networkModelId, int kMax, int dimensions)
    {
        Mixtures.Add((networkModelId, kMax, dimensions));
        return networkModelId.ToString();
    }

    public List<int> ModelTrainings { get; } = [];

    public List<(int Model, string Cohort)> Scorings { get; } = [];

    public string EnqueueModelTraining(int modelVersionId)
    {
        ModelTrainings.Add(modelVersionId);
        return modelVersionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public string EnqueueScoring(int modelVersionId, string cohortCode)
    {
        Scorings.Add((modelVersionId, cohortCode));
        return $"{modelVersionId}:{cohortCode}";
    }

    public List<(int Model, Guid Patient)> PatientScorings { get; } = [];

    public string EnqueuePatientScoring(int modelVersionId, Guid patientId)
    {
        PatientScorings.Add((modelVersionId, patientId));
        return $"{modelVersionId}:{patientId}";
    }
}
