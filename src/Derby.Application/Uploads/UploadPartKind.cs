namespace Derby.Application.Uploads;

/// <summary>How a part was staged.</summary>
public enum UploadPartKind
{
    /// <summary>Written as one file.</summary>
    File,

    /// <summary>A ".zip" part, expanded; the archive itself is not kept.</summary>
    ZipArchive,
}
