namespace Derby.Domain;

/// <summary>A stored PET or CT series of a patient. The DICOM ingestion issue fills in geometry and quantitation.</summary>
public sealed class ImagingSeries
{
    public Guid Id { get; set; }

    public Guid PatientId { get; set; }

    public Patient? Patient { get; set; }

    public ImagingModality Modality { get; set; }

    public required string SeriesInstanceUid { get; set; }

    public int InstanceCount { get; set; }

    public DateTime ReceivedUtc { get; set; }
}
