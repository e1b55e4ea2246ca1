using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Derby.Infrastructure;

/// <summary>The "Derby" configuration section. Checked at start: a bad value stops the process with its reason.</summary>
public sealed class DerbyOptions
{
    public const string Section = "Derby";

    /// <summary>Folder for the embedded database, job storage and stored files. Relative paths resolve against the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    public DatabaseOptions Database { get; set; } = new();

    public JobOptions Jobs { get; set; } = new();

    /// <summary>
    /// Hours without a write after which an upload's staging folder or scrub copies are taken as left behind by a killed
    /// process and removed (<see cref="Files.StaleUploadSweeper"/>). More than any upload takes.
    /// </summary>
    [Range(1, 24 * 365)]
    public double StaleUploadHours { get; set; } = 24;

    public string DataPath => Path.GetFullPath(DataDirectory);
}

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

public sealed class DatabaseOptions
{
    /// <summary>Sqlite (embedded default) or SqlServer (production).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for SqlServer; for Sqlite defaults to derby.db in the data folder.</summary>
    public string? ConnectionString { get; set; }
}

public sealed class JobOptions
{
    /// <summary>Run a Hangfire server inside this process (the single-machine default).</summary>
    public bool InProcessServer { get; set; } = true;

    /// <summary>Worker threads of the in-process server.</summary>
    [Range(1, 64)]
    public int WorkerCount { get; set; } = 2;

    /// <summary>
    /// Queues the in-process server takes, in priority order: "default" (imports, segmentation, mixtures) and "gpu"
    /// (network training and feature extraction). A web node can leave "gpu" to GPU workers with ["default"]. Empty (the
    /// default; configuration binding appends to a non-empty default array) means both.
    /// </summary>
    public string[] Queues { get; set; } = [];

    /// <summary>
    /// With the SQLite job storage, guard every run with <see cref="Jobs.SingleExecutionFilter"/> (default true). Only for
    /// measuring the storage's own behaviour (ADR 22); never turn it off while several processes share the storage.
    /// </summary>
    public bool SqliteSingleExecution { get; set; } = true;

    /// <summary>The queues to listen to: <see cref="Queues"/>, or "default" and "gpu" when none are configured.</summary>
    public string[] EffectiveQueues => Queues is { Length: > 0 } ? Queues : ["default", "gpu"];

    /// <summary>
    /// The Derby:Jobs section. Queues may also be one comma-separated value (<c>Derby__Jobs__Queues=gpu,default</c>,
    /// what <c>--queues gpu,default</c> becomes), which array binding alone would ignore.
    /// </summary>
    public static JobOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var jobs = configuration.GetSection($"{DerbyOptions.Section}:Jobs").Get<JobOptions>() ?? new JobOptions();
        var list = configuration[$"{DerbyOptions.Section}:Jobs:Queues"];
        if (!string.IsNullOrWhiteSpace(list))
        {
            jobs.Queues = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }

        return jobs;
    }
}
