namespace Derby.Application.Uploads;

/// <summary>
/// What one upload may contain. Every limit is checked before anything is extracted (from the declared lengths and the
/// zip central directory) and again while bytes are written (actual counts), so a lying client or header cannot pass.
/// The reasons for the defaults are in docs/decisions/0009-upload-limits.md.
/// </summary>
public sealed record UploadLimits
{
    private const long MiB = 1024 * 1024;

    /// <summary>The defaults: 256 MiB per file, 4 GiB per upload, 50,000 files, 20,000 entries per archive, 200:1.</summary>
    public static UploadLimits Default { get; } = new();

    /// <summary>Largest single file, plain or extracted from an archive. Default 256 MiB.</summary>
    public long MaxFileBytes { get; init; } = 256 * MiB;

    /// <summary>
    /// Largest upload, counted twice: the bytes received (archives as sent) and the bytes staged (archives expanded)
    /// may each reach it, so the disk peak of one upload is at most twice this. Default 4 GiB.
    /// </summary>
    public long MaxTotalBytes { get; init; } = 4096 * MiB;

    /// <summary>Most files staged by one upload, all parts and archives together. Default 50,000.</summary>
    public int MaxFiles { get; init; } = 50_000;

    /// <summary>Most entries (files and folders) in one zip archive, counted in its central directory before it is opened. Default 20,000.</summary>
    public int MaxArchiveEntries { get; init; } = 20_000;

    /// <summary>
    /// Largest uncompressed : compressed ratio, per entry and for a whole archive (zip bomb). Default 200.
    /// Only applied once the uncompressed bytes reach <see cref="RatioCheckMinBytes"/>.
    /// </summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>
    /// Below this many uncompressed bytes the ratio is not checked: small, nearly empty files (a blank secondary
    /// capture) compress far beyond 200:1 legitimately, and the byte limits already bound them. Default 1 MiB.
    /// </summary>
    public long RatioCheckMinBytes { get; init; } = 1 * MiB;

    /// <summary>Longest relative path in characters, an archive's entries counted under the archive's folder. Default 260.</summary>
    public int MaxPathLength { get; init; } = 260;

    /// <summary>Most path segments (folders plus the file name). Default 16.</summary>
    public int MaxPathDepth { get; init; } = 16;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFileBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTotalBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFiles);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxArchiveEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCompressionRatio, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(RatioCheckMinBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPathLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPathDepth);
    }
}
