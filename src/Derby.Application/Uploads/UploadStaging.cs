using System.Security.Cryptography;

namespace Derby.Application.Uploads;

/// <summary>
/// Stages an upload (files, folders, zip archives) into a new private folder under a staging root, all or nothing.
/// Parts are streamed to disk in chunks with every byte counted; archives are expanded entry by entry as streams after
/// their central directory has passed the limits. Any violation throws <see cref="UploadRejectedException"/> and
/// deletes the upload's folder; so do cancellation and I/O failures.
/// </summary>
public static class UploadStaging
{
    /// <summary>The staging root's folder under the data folder (uploads and STOW-RS requests stage there).</summary>
    public const string RootFolder = "staging";

    /// <summary>Prefix of every upload's folder under the staging root.</summary>
    public const string FolderPrefix = "upload-";

    /// <summary>Prefix of every STOW-RS request's folder under the staging root.</summary>
    public const string StowFolderPrefix = "stow-";

    /// <summary>Stages <paramref name="parts"/> under <paramref name="stagingRoot"/>.</summary>
    /// <param name="parts">The files as the browser sent them; a part whose name ends in ".zip" is expanded.</param>
    /// <param name="stagingRoot">Where the upload's folder is created (created if missing). Should not be shared with anything but uploads.</param>
    /// <param name="limits">The limits; <see cref="UploadLimits.Default"/> for the documented defaults.</param>
    /// <param name="progress">Receives bytes received, files staged and parts done; reported at least every MiB and after each part.</param>
    /// <param name="ct">Cancels the upload; its folder is deleted.</param>
    /// <returns>The staged files and one outcome per part.</returns>
    /// <exception cref="UploadRejectedException">Some part broke a rule; nothing is left in <paramref name="stagingRoot"/>.</exception>
    public static async Task<StagedUpload> StageAsync(
        IEnumerable<UploadPart> parts,
        string stagingRoot,
        UploadLimits limits,
        IProgress<UploadProgress>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentException.ThrowIfNullOrWhiteSpace(stagingRoot);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();

        var list = parts.ToList();
        if (list.Any(p => p is null || p.Open is null))
        {
            throw new ArgumentException("A part is null or has no Open function.", nameof(parts));
        }

        // Names, duplicates and declared lengths are checked before anything touches the disk.
        var session = new StagingSession(list, limits, progress);
        session.CheckUpFront();
        ct.ThrowIfCancellationRequested();

        var root = Path.GetFullPath(stagingRoot);
        Directory.CreateDirectory(root);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var folder = Path.Combine(root, FolderPrefix + id);
        if (Directory.Exists(folder) || File.Exists(folder))
        {
            throw new IOException($"The staging folder {folder} already exists.");
        }

        try
        {
            StagingSession.CreatePrivateDirectory(folder);
            return await session.RunAsync(id, folder, ct).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                DeleteFolder(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The refusal or cancellation is what the caller must see; a folder that could not be deleted after
                // three tries is left to whoever sweeps the staging root for stale "upload-" folders.
            }

            throw;
        }
    }

    /// <summary>Deletes a refused or cancelled upload's folder; retried because a scanner or indexer may hold a file for a moment.</summary>
    private static void DeleteFolder(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Recursive delete removes links themselves, never what they point to.
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                return;
            }
            catch (Exception e) when (attempt < 3 && e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100 * attempt);
            }
        }
    }
}
