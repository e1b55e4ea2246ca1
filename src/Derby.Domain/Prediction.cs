namespace Derby.Domain;

/// <summary>A therapy response score of one patient by one model version.</summary>
public sealed class Prediction
{
    public Guid Id { get; set; }

    public Guid PatientId { get; set; }

    public Patient? Patient { get; set; }

    public int ModelVersionId { get; set; }

    public ModelVersion? ModelVersion { get; set; }

    /// <summary>Therapy response score in [0, 1]; at or above the model's threshold means predicted responder.</summary>
    public double Trs { get; set; }

    public bool PredictedResponder { get; set; }

    /// <summary>SHA-256 over the hashes of every input the prediction used.</summary>
    public string? InputsSha256 { get; set; }

    public bool IsStale { get; set; }

    public DateTime CreatedUtc { get; set; }
}
