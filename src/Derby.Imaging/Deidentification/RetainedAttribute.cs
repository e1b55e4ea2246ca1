using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// An attribute of the confidentiality profile that the project keeps, under which PS3.15 option, and why.
/// <paramref name="Accepts"/>, when set, limits the values kept: others get the profile's action.
/// </summary>
public sealed record RetainedAttribute(DicomTag Tag, string Name, string Option, string Reason, Func<string?, bool>? Accepts = null)
{
    /// <summary>Whether the attribute, as present in a data set, is kept.</summary>
    public bool Keeps(DicomElement element) => Accepts is null || (element is DicomText text && Accepts(text.Value.Trim(' ', '\0')));
}
