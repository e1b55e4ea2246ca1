namespace Derby.Synthetic.Output;

/// <summary>When and how a patient was scanned: the facts the DICOM tags carry and SUV is computed from.</summary>
public sealed record ImagingSession(
    DateTime InjectionTime,
    DateTime ScanStart,
    double InjectedDoseBq,
    double WeightKg,
    string StudyInstanceUid,
    string FrameOfReferenceUid,
    string PetSeriesUid,
    string CtSeriesUid)
{
    public const double F18HalfLifeSeconds = 6586.2;
}
