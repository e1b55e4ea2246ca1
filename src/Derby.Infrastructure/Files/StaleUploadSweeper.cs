using Derby.Application.Common;
using Derby.Application.Uploads;
using Microsoft.Extensions.Logging;

namespace Derby.Infrastructure.Files;

/// <summary>
/// Removes what a killed upload leaves on disk: an upload's or a STOW-RS request's private staging folder
/// (<c>{data}/staging/upload-*</c>, <c>stow-*</c>) and an ingest's scrub copies (<c>{data}/dicom-scratch/*</c>). Each is
/// deleted by its own request when it ends; one is left only when the process died in between. A folder counts as left
/// behind when nothing in it (the folder itself included) was written for <see cref="DerbyOptions.StaleUploadHours"/>
/// (24 by default; no request stages for that long), so a sweep in one process never takes a folder another process (a
/// second web node on the same data folder) is still writing. Runs in the web role at start and then every hour. The
/// content-addressed stores are not swept: a file there may be claimed by an upload in flight before its row is written.
/// </summary>
public sealed class StaleUploadSweeper(DerbyOptionsAccessor options, IClock clock, ILogger<StaleUploadSweeper> logger) : PeriodicService(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string Activity => "Sweeping left-behind upload folders";

    protected override void RunOnce() => Sweep();

    /// <summary>Deletes the left-behind folders; returns their paths relative to the data folder.</summary>
    public IReadOnlyList<string> Sweep()
    {
        var data = options.Value.DataPath;
        var cutoff = clock.UtcNow - TimeSpan.FromHours(options.Value.StaleUploadHours);
        var removed = new List<string>();
        var staging = Path.Combine(data, UploadStaging.RootFolder);
        var candidates = Folders(staging, UploadStaging.FolderPrefix + "*")
            .Concat(Folders(staging, UploadStaging.StowFolderPrefix + "*"))
            .Concat(Folders(Path.Combine(data, DicomStore.ScratchFolder), "*"));
        foreach (var folder in candidates)
        {
            try
            {
                if (LastWriteUtc(folder) >= cutoff)
                {
                    continue;
                }

                Directory.Delete(folder, recursive: true);
                var relative = Path.GetRelativePath(data, folder);
                removed.Add(relative);
                logger.LogInformation("Removed {Folder}, left behind by an upload that never finished", relative);
            }
            catch (DirectoryNotFoundException)
            {
                // Removed meanwhile by its request or another process's sweep.
            }
        }

        return removed;
    }

    private static IEnumerable<string> Folders(string root, string pattern) =>
        Directory.Exists(root) ? Directory.EnumerateDirectories(root, pattern, SearchOption.TopDirectoryOnly) : [];

    private static DateTime LastWriteUtc(string folder)
    {
        var newest = Directory.GetLastWriteTimeUtc(folder);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var written = File.GetLastWriteTimeUtc(entry);
            if (written > newest)
            {
                newest = written;
            }
        }

        return newest;
    }
}
