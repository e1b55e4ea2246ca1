using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// Why the gate refuses a file: one attribute, where it is (<paramref name="Path"/> walks sequences, e.g.
/// "(0054,0016)[0]/(0008,0080)"), its name and the reason. Reasons name attributes, never their values, except the
/// Patient ID that does not match (the uploader needs it to find the wrong file).
/// </summary>
public sealed record GateFinding(string Path, DicomTag Tag, string Name, string Reason)
{
    public override string ToString() => $"{Path} {Name}: {Reason}";
}
