namespace Derby.Application.Imaging;

/// <summary>What became of one file of an upload.</summary>
public sealed record IngestFileResult(string File, string Status, string? SeriesInstanceUid, IReadOnlyList<string> Reasons);

/// <summary>What became of one series of an upload.</summary>
public sealed record IngestSeriesResult(string SeriesInstanceUid, string? Modality, int Files, string Status, IReadOnlyList<string> Reasons,
    double? SuvFactor, string? SuvRule);

/// <summary>
/// The outcome of an upload: accepted whole (every file readable, de-identified, of a complete PET or CT series) or
/// refused whole, with a reason for each file and series; nothing of a refused upload is stored.
/// </summary>
public sealed record IngestResult(bool Accepted, int Files, int Stored, int AlreadyStored, IReadOnlyList<IngestSeriesResult> Series,
    IReadOnlyList<IngestFileResult> FileResults);

/// <summary>The status words of files and series in an <see cref="IngestResult"/>.</summary>
public static class IngestStatus
{
    public const string Accepted = "accepted";
    public const string AlreadyStored = "already stored";
    public const string Refused = "refused";
}
