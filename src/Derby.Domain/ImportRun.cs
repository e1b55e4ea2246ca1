namespace Derby.Domain;

/// <summary>
/// One CSV import into a site: the file is kept as uploaded, validated in full, then written all or nothing.
/// </summary>
public sealed class ImportRun
{
    public Guid Id { get; set; }

    public int SiteId { get; set; }

    public Site? Site { get; set; }

    public ImportKind Kind { get; set; }

    public required string FileName { get; set; }

    /// <summary>SHA-256 of the uploaded bytes; the staged file is named after it.</summary>
    public required string FileSha256 { get; set; }

    public ImportStatus Status { get; set; }

    public int TotalRows { get; set; }

    public int ProcessedRows { get; set; }

    /// <summary>Rows inserted or updated when the import succeeded.</summary>
    public int WrittenRows { get; set; }

    /// <summary>Why the file was refused: a JSON array of {line, column, message}.</summary>
    public string? ErrorsJson { get; set; }

    public required string RequestedBy { get; set; }

    public DateTime CreatedUtc { get; set; }

    public DateTime? CompletedUtc { get; set; }

    /// <summary>Progress in [0, 1] for display.</summary>
    public double Progress => Status is ImportStatus.Succeeded or ImportStatus.Rejected or ImportStatus.Failed
        ? 1
        : TotalRows == 0 ? 0 : Math.Min(1, (double)ProcessedRows / TotalRows);
}
