using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// One attribute Scrub changed: where, which, what it did and under which profile action code. The old value is
/// deliberately not kept: this record is stored with the study and must not carry PHI.
/// </summary>
public sealed record RemovedAttribute(string Path, DicomTag Tag, string Name, AttributeChange Change, string ActionCode);
