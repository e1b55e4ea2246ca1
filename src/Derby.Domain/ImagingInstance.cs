namespace Derby.Domain;

/// <summary>One DICOM file of a stored series, kept in the content-addressed store under its SHA-256.</summary>
public sealed class ImagingInstance
{
    public long Id { get; set; }

    public Guid SeriesId { get; set; }

    public ImagingSeries? Series { get; set; }

    public required string SopInstanceUid { get; set; }

    /// <summary>SHA-256 of the stored file (hex): its address in the store.</summary>
    public required string Sha256 { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>0-based position in the series sorted along the slice normal.</summary>
    public int SliceIndex { get; set; }

    /// <summary>Position along the slice normal, mm.</summary>
    public double PositionMm { get; set; }
}
