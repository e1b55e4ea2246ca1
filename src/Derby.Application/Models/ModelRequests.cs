namespace Derby.Application.Models;

/// <summary>The two models of the paper.</summary>
public static class ModelKinds
{
    /// <summary>DERBY: F_img and the LASSO-selected clinical factors, trained on the training cohort.</summary>
    public const string Derby = "derby";

    /// <summary>DERBY+: DERBY's inputs and the biopsy's IHC scores (GLUT1, PKM), trained on the histology cohort.</summary>
    public const string DerbyPlus = "derby-plus";

    /// <summary>Both, in order.</summary>
    public static IReadOnlyList<string> All { get; } = [Derby, DerbyPlus];
}

/// <summary>
/// A request to train a DERBY or DERBY+ model version.
/// </summary>
/// <param name="Kind"><see cref="ModelKinds.Derby"/> or <see cref="ModelKinds.DerbyPlus"/>.</param>
/// <param name="NetworkVersion">The pair network whose F_img (through its mixture) is used; null: the newest trained network with a mixture.</param>
/// <param name="Cohort">Cohort code; null: "training" for DERBY, "histology" for DERBY+. Only training and histology cohorts are accepted.</param>
/// <param name="Lambda">LASSO rule: "1se" (lambda.1se, the default) or "min" (lambda.min).</param>
/// <param name="Folds">LASSO cross-validation folds.</param>
/// <param name="Trees">Random forest trees.</param>
/// <param name="MaximumLeaves">Leaves per tree at most.</param>
/// <param name="MinimumExamplesPerLeaf">Pairs per leaf at least; null: the pairs of <see cref="DefaultPatientsPerLeaf"/> patients of the training table on average (ADR 17).</param>
/// <param name="FeatureFractionPerSplit">Share of features tried at each split; null: √d / d as scikit-learn's "sqrt".</param>
/// <param name="BaggingFraction">Share of pairs each tree is trained on.</param>
/// <param name="Seed">Seed of the LASSO folds and the forests.</param>
/// <param name="Threshold">TRS at or above which a patient is a predicted responder.</param>
public sealed record ModelTrainingRequest(
    string Kind = ModelKinds.Derby,
    string? NetworkVersion = null,
    string? Cohort = null,
    string Lambda = "1se",
    int Folds = 10,
    int Trees = 300,
    int MaximumLeaves = 64,
    int? MinimumExamplesPerLeaf = null,
    double? FeatureFractionPerSplit = null,
    double BaggingFraction = 0.7,
    int Seed = 42,
    double Threshold = 0.5)
{
    /// <summary>
    /// Patients per leaf, by default: when no pair count is asked for, a leaf holds at least this many patients' pairs
    /// (the training table's mean pairs per patient times this), so that it cannot hold one patient alone and learn its
    /// label from the patient-level inputs (clinical factors, GLUT1, PKM) that repeat on each of its pairs. The unit is the
    /// patient because the pairs per patient differ with the pixel size and the lesions (4 on the tests' small-scale study, 27 on the
    /// paper-scale one). Chosen by cross-validation on the training cohorts over 5 seeds (ADR 17).
    /// </summary>
    public const int DefaultPatientsPerLeaf = 2;
}
