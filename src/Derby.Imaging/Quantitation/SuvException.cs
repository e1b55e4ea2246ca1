using Derby.Imaging.Dicom;

namespace Derby.Imaging.Quantitation;

/// <summary>
/// SUV cannot be computed for a series: a tag is missing, unusable or inconsistent. <see cref="Tag"/> names the attribute
/// at fault (also written in the message), so callers can report it without parsing text.
/// </summary>
public sealed class SuvException : Exception
{
    public SuvException(string message, DicomTag? tag = null)
        : base(message) => Tag = tag;

    public SuvException()
    {
    }

    public SuvException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The attribute that made the calculation fail, when one did.</summary>
    public DicomTag? Tag { get; }
}
