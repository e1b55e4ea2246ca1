using Derby.Learning.Forest;

namespace Derby.Application.Models;

/// <summary>
/// Everything a frozen model version is made of, stored as JSON with its SHA-256 (the version's identity): what it was
/// trained on (cohort, patients, pairs and their input hashes, who was left out and why), how (settings, seeds, LASSO,
/// forest options, code version) and the hashes of every artefact it loads (network checkpoint, mixture, forests,
/// LASSO path, partial dependence, heatmap, cross-validated training scores). No timestamps: the same data and settings give the same manifest but for
/// the version name.
/// </summary>
public sealed record ModelManifest(
    string Version,
    string Kind,
    string Cohort,
    double Threshold,
    NetworkReference Network,
    MixtureReference Mixture,
    IReadOnlyList<string> Columns,
    LassoSummary Lasso,
    ForestReference Forest,
    IReadOnlyList<SignatureReference> Signatures,
    IReadOnlyList<ManifestPatient> Patients,
    IReadOnlyList<ExcludedPatient> Excluded,
    ModelTrainingRequest Settings,
    string CodeVersion,
    string LassoPathSha256,
    string PartialDependenceSha256,
    string? HeatmapSha256,
    string CrossValidationSha256);

/// <summary>The pair network: its version and checkpoint hash.</summary>
public sealed record NetworkReference(Guid Id, string Version, string CheckpointSha256);

/// <summary>The Gaussian mixture that turns the network's features into F_img.</summary>
public sealed record MixtureReference(Guid Id, int K, string ParametersSha256);

/// <summary>The LASSO selection: the rule, the lambdas, the coefficient of every candidate at the chosen lambda, and what was kept.</summary>
public sealed record LassoSummary(string Rule, double Lambda, double LambdaMin, double Lambda1se, IReadOnlyList<string> Candidates, IReadOnlyList<double> Coefficients,
    IReadOnlyList<string> Selected);

/// <summary>A stored forest: its SHA-256, options and the pairs it was trained on.</summary>
public sealed record ForestReference(string Sha256, RandomForestOptions Options, int Rows);

/// <summary>
/// A single-modality signature for comparison (the paper's Fig. 4C): "clinical" and "histological" are forests on their
/// columns alone (trained on the same patients); "imaging" is the network's own vote (no artefact of its own). Null
/// <see cref="Sha256"/> with <see cref="Unavailable"/> saying why when it could not be built.
/// </summary>
public sealed record SignatureReference(string Name, IReadOnlyList<string> Columns, string? Sha256, string? Unavailable);

/// <summary>A training patient: label, pairs used and the hash of its inputs.</summary>
public sealed record ManifestPatient(Guid Id, bool Responder, IReadOnlyList<long> Pairs, string InputsSha256);

/// <summary>A cohort member left out of the training, and why.</summary>
public sealed record ExcludedPatient(Guid Id, string Reason);

/// <summary>The LASSO path and its cross-validation curve, for display (supplementary Fig. 1A).</summary>
public sealed record LassoCurve(IReadOnlyList<string> Candidates, IReadOnlyList<double> Lambdas, IReadOnlyList<double[]> Coefficients,
    IReadOnlyList<double> MeanDeviance, IReadOnlyList<double> StandardError, double LambdaMin, double Lambda1se, double Lambda);

/// <summary>Partial dependence of the TRS on each model input (the paper's Fig. 3D), over the training patients.</summary>
public sealed record PartialDependenceSet(IReadOnlyList<PartialDependenceCurve> Curves);

/// <summary>
/// The deep-feature heatmap (the paper's Fig. 3C): training patients (rows, ROI-area weighted mean of their pairs'
/// 1024-d features) × the most variable features (columns, z-scored), both ordered by average-linkage clustering.
/// </summary>
public sealed record FeatureHeatmap(IReadOnlyList<Guid> Patients, IReadOnlyList<bool> Responders, IReadOnlyList<int> Features, IReadOnlyList<double[]> Values,
    IReadOnlyList<int> RowOrder, IReadOnlyList<int> ColumnOrder, IReadOnlyList<ClusterMerge> RowMerges);

/// <summary>
/// The training patients' cross-validated TRS: patient-level folds (seeded), each fold scored by a forest trained on the
/// other folds with the same columns and options (the LASSO selection is the full model's). The training cohort's row of
/// the evaluation uses these, not the final model's scores of the patients it was trained on.
/// </summary>
public sealed record CrossValidatedScores(int Folds, IReadOnlyDictionary<Guid, double> Trs);
