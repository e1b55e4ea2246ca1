namespace Derby.Domain;

/// <summary>
/// A therapy response score of one patient by one frozen model version, with everything needed to audit it later: the
/// per-pair probabilities and ROI areas, the input features, the hashes of every input and the single-modality
/// signatures. One per (patient, model version, inputs): scoring the same inputs again gives this row back; new data for
/// the patient marks it stale and a new score is a new row.
/// </summary>
public sealed class Prediction
{
    /// <summary>Key.</summary>
    public Guid Id { get; set; }

    /// <summary>The patient scored.</summary>
    public Guid PatientId { get; set; }

    /// <summary>The patient scored.</summary>
    public Patient? Patient { get; set; }

    /// <summary>The model version that scored.</summary>
    public int ModelVersionId { get; set; }

    /// <summary>The model version that scored.</summary>
    public ModelVersion? ModelVersion { get; set; }

    /// <summary>Therapy response score in [0, 1]; at or above the model's threshold means predicted responder.</summary>
    public double Trs { get; set; }

    /// <summary>TRS ≥ <see cref="Threshold"/>.</summary>
    public bool PredictedResponder { get; set; }

    /// <summary>The model's threshold when it scored.</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>Pairs voted.</summary>
    public int PairCount { get; set; }

    /// <summary>SHA-256 over the hashes of every input the prediction used.</summary>
    public string? InputsSha256 { get; set; }

    /// <summary>The hashes of the inputs, by name (DICOM instances, pair sets, clinical record, IHC record), as JSON.</summary>
    public string? InputHashesJson { get; set; }

    /// <summary>Per pair: image pair id, ROI area, probability (JSON).</summary>
    public string? PairScoresJson { get; set; }

    /// <summary>The model's input table for the patient: column names and one row of values per pair (JSON).</summary>
    public string? FeaturesJson { get; set; }

    /// <summary>The single-modality signatures' scores (clinical, imaging, histological) for comparison (JSON).</summary>
    public string? SignaturesJson { get; set; }

    /// <summary>Newer inputs exist for the patient: a fresh score would differ in its inputs.</summary>
    public bool IsStale { get; set; }

    /// <summary>Who asked for the score ("system" for jobs).</summary>
    public string? RequestedBy { get; set; }

    /// <summary>When it was scored.</summary>
    public DateTime CreatedUtc { get; set; }
}
