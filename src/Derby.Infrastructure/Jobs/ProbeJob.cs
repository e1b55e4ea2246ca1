using Hangfire;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Jobs;

/// <summary>
/// A diagnostic job that does no study work: it records that it ran, in the shared data folder, with an exclusive
/// create of <c>probes/{probeId}</c> (process id, host name, time). A second execution of the same probe cannot create
/// that file again and records itself beside it as <c>{probeId}.again.{guid}</c> instead, so "ran exactly once" can be
/// checked from outside (the multi-process tests, or an operator with <c>derby jobs probe</c>) across processes and hosts
/// that share the folder.
/// </summary>
public sealed class ProbeJob(DerbyOptionsAccessor options, ILogger<ProbeJob> logger)
{
    /// <summary>The folder under the data folder where probes record their executions.</summary>
    public const string Folder = "probes";

    /// <summary>Records this execution of <paramref name="probeId"/>, after holding the worker for <paramref name="durationMs"/>.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string probeId, int durationMs, CancellationToken cancellationToken)
    {
        if (probeId.Length == 0 || probeId.IndexOfAny([.. Path.GetInvalidFileNameChars(), '.']) >= 0)
        {
            throw new ArgumentException("A probe id is a plain file name without dots", nameof(probeId));
        }

        await Task.Delay(Math.Clamp(durationMs, 0, 60_000), cancellationToken);
        var folder = Directory.CreateDirectory(Path.Combine(options.Value.DataPath, Folder)).FullName;
        var record = $"{Environment.ProcessId} {Environment.MachineName} {DateTime.UtcNow:O}\n";
        try
        {
            await using var file = new FileStream(Path.Combine(folder, probeId), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(record), cancellationToken);
            logger.LogInformation("Probe {ProbeId} ran in process {ProcessId}", probeId, Environment.ProcessId);
        }
        catch (IOException) when (File.Exists(Path.Combine(folder, probeId)))
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"{probeId}.again.{Guid.NewGuid():N}"), record, cancellationToken);
            logger.LogWarning("Probe {ProbeId} ran again in process {ProcessId}: a job was executed twice", probeId, Environment.ProcessId);
        }
    }
}
