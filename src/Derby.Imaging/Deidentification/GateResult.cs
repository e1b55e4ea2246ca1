using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// The outcome of the gate in a study's mode: the data set to store (null when refused), the findings that refused it,
/// and what Scrub removed (empty in Reject mode).
/// </summary>
public sealed record GateResult(DicomDataset? Stored, IReadOnlyList<GateFinding> Findings, IReadOnlyList<RemovedAttribute> Removed)
{
    public bool Accepted => Stored is not null;
}
