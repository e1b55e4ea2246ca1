namespace Derby.Domain;

/// <summary>
/// A stored PET or CT series of a patient, accepted whole after the de-identification gate and the series checks.
/// Its files live in the content-addressed store (one <see cref="ImagingInstance"/> per file).
/// </summary>
public sealed class ImagingSeries
{
    public Guid Id { get; set; }

    public Guid PatientId { get; set; }

    public Patient? Patient { get; set; }

    public ImagingModality Modality { get; set; }

    public required string SeriesInstanceUid { get; set; }

    public string? StudyInstanceUid { get; set; }

    public string? FrameOfReferenceUid { get; set; }

    public int InstanceCount { get; set; }

    public int Rows { get; set; }

    public int Columns { get; set; }

    /// <summary>Row and column spacing, mm, as "row\column".</summary>
    public string? PixelSpacing { get; set; }

    /// <summary>Distance between consecutive slices along the normal, mm.</summary>
    public double SliceSpacingMm { get; set; }

    /// <summary>Image Orientation (Patient), six numbers separated by backslashes.</summary>
    public string? Orientation { get; set; }

    public string? Manufacturer { get; set; }

    public string? Model { get; set; }

    /// <summary>PET: body-weight SUV per rescaled pixel value.</summary>
    public double? SuvFactor { get; set; }

    /// <summary>PET: which rule produced <see cref="SuvFactor"/> (e.g. "bqml-start-series-time") and from which tags.</summary>
    public string? SuvRule { get; set; }

    public string? SuvTags { get; set; }

    public DateTime ReceivedUtc { get; set; }

    public List<ImagingInstance> Instances { get; } = [];
}
