namespace Derby.Application.Uploads;

/// <summary>An accepted upload: every part staged, nothing refused. The caller owns <see cref="Folder"/> and deletes it when done.</summary>
/// <param name="Id">Random identifier, also the folder's name.</param>
/// <param name="Folder">The upload's private folder under the staging root.</param>
/// <param name="FilesRoot">The folder the staged files' relative paths start from (inside <see cref="Folder"/>).</param>
/// <param name="Files">The staged files, in the order written.</param>
/// <param name="Parts">One outcome per part, in the order given.</param>
public sealed record StagedUpload(string Id, string Folder, string FilesRoot, IReadOnlyList<StagedFile> Files, IReadOnlyList<PartOutcome> Parts)
{
    /// <summary>Bytes staged, all files together.</summary>
    public long TotalBytes => Files.Sum(f => f.Size);

    /// <summary>Deletes the upload's folder and everything in it.</summary>
    public void Delete()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
