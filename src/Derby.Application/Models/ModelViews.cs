using Derby.Domain;
using Derby.Statistics;

namespace Derby.Application.Models;

/// <summary>A model version as pages, the API and the command line show it.</summary>
public sealed record ModelVersionView(
    int Id,
    string Version,
    string Kind,
    ModelVersionStatus Status,
    bool IsActive,
    string? Cohort,
    string? NetworkVersion,
    string? Progress,
    string? Error,
    string? ManifestSha256,
    string? RequestedBy,
    DateTime CreatedUtc,
    DateTime? TrainedUtc,
    IReadOnlyList<string>? SelectedFactors,
    IReadOnlyList<string>? Columns,
    int? TrainingPatients,
    int? TrainingPairs,
    double? Threshold);

/// <summary>One pair's vote in a prediction.</summary>
public sealed record PairScore(long ImagePairId, int RoiArea, double Probability);

/// <summary>A single-modality signature's score of the patient (null with the reason when unavailable).</summary>
public sealed record SignatureScore(string Name, double? Score, string? Unavailable);

/// <summary>The model's input table of one patient: column names and one row per pair.</summary>
public sealed record PredictionFeatures(IReadOnlyList<string> Columns, IReadOnlyList<long> Pairs, IReadOnlyList<double[]> Rows);

/// <summary>A stored prediction.</summary>
public sealed record PredictionView(
    Guid Id,
    Guid PatientId,
    string Pseudonym,
    string ModelVersion,
    double Trs,
    bool PredictedResponder,
    double Threshold,
    int PairCount,
    bool IsStale,
    string InputsSha256,
    IReadOnlyDictionary<string, string> InputHashes,
    IReadOnlyList<PairScore> Pairs,
    IReadOnlyList<SignatureScore> Signatures,
    DateTime CreatedUtc);

/// <summary>What scoring a group of patients did: scored anew, found already scored with the same inputs, or skipped (with why).</summary>
public sealed record ScoringSummary(string ModelVersion, int Scored, int Unchanged, IReadOnlyList<SkippedPatient> Skipped);

/// <summary>A patient that could not be scored, and why.</summary>
public sealed record SkippedPatient(Guid PatientId, string Pseudonym, string Reason);

/// <summary>
/// One row of the paper's Table 2 for a cohort: AUC with its DeLong 95% CI and the accuracy at the model's threshold
/// (Clopper-Pearson CIs), over the members with an outcome and a current prediction; plus the single-modality
/// signatures' AUCs (Fig. 4C) where every such patient has them.
/// </summary>
public sealed record CohortEvaluation(string Cohort, string Name, CohortKind Kind, int Members, int Evaluated, int Responders, AucEstimate? Auc, DiagnosticSummary? Accuracy,
    IReadOnlyDictionary<string, double> SignatureAuc, string? Note);

/// <summary>A model version's evaluation on every cohort.</summary>
public sealed record ModelEvaluation(string ModelVersion, string Kind, double Threshold, IReadOnlyList<CohortEvaluation> Cohorts);
