namespace Derby.Application.Uploads;

/// <summary>An upload was refused as a whole; nothing of it is left in the staging root.</summary>
public sealed class UploadRejectedException : Exception
{
    public UploadRejectedException(IReadOnlyList<UploadRejection> reasons)
        : base(Describe(reasons))
    {
        Reasons = reasons;
    }

    /// <summary>Every reason found, one per file or entry and rule.</summary>
    public IReadOnlyList<UploadRejection> Reasons { get; }

    private static string Describe(IReadOnlyList<UploadRejection> reasons) =>
        reasons.Count == 1
            ? $"Upload refused: {reasons[0]}"
            : $"Upload refused, {reasons.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, reasons.Select(r => $"- {r}"));
}
