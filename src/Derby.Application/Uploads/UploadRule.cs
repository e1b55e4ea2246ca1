namespace Derby.Application.Uploads;

/// <summary>Which rule an upload broke.</summary>
public enum UploadRule
{
    /// <summary>Nothing to upload.</summary>
    Empty,

    /// <summary>Absolute path, drive letter, "..", empty or reserved name, NUL, control or forbidden character, or a target outside the staging folder.</summary>
    InvalidPath,

    /// <summary>Path longer than <see cref="UploadLimits.MaxPathLength"/> (or a segment over 255 UTF-8 bytes).</summary>
    PathTooLong,

    /// <summary>More segments than <see cref="UploadLimits.MaxPathDepth"/>.</summary>
    PathTooDeep,

    /// <summary>Two files with the same path (compared ignoring case), or a file where a folder is needed.</summary>
    DuplicatePath,

    /// <summary>A file over <see cref="UploadLimits.MaxFileBytes"/>.</summary>
    FileTooLarge,

    /// <summary>The upload over <see cref="UploadLimits.MaxTotalBytes"/>.</summary>
    UploadTooLarge,

    /// <summary>More than <see cref="UploadLimits.MaxFiles"/> files.</summary>
    TooManyFiles,

    /// <summary>An archive with more than <see cref="UploadLimits.MaxArchiveEntries"/> entries.</summary>
    TooManyEntries,

    /// <summary>An entry or archive expanding beyond <see cref="UploadLimits.MaxCompressionRatio"/>.</summary>
    CompressionRatio,

    /// <summary>An entry whose data does not match the size or CRC-32 its central directory header declares.</summary>
    HeaderMismatch,

    /// <summary>A symbolic link entry (Unix mode S_IFLNK, or a Windows reparse point).</summary>
    SymbolicLink,

    /// <summary>A device, FIFO or socket entry.</summary>
    SpecialFile,

    /// <summary>An archive inside an archive.</summary>
    NestedArchive,

    /// <summary>A password-protected entry.</summary>
    EncryptedEntry,

    /// <summary>Not a readable zip archive, an unsupported compression method or a failed checksum.</summary>
    CorruptArchive,
}
