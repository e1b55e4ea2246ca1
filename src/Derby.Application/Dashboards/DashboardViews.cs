using Derby.Application.Models;
using Derby.Statistics;

namespace Derby.Application.Dashboards;

/// <summary>
/// What the dashboard shows: a model version (name; null: the active DERBY+, else the active DERBY), one cohort (code; null:
/// every cohort), one site (code; null: every site), whether each cohort is also broken down by site, and the patients
/// registered in Derby from <paramref name="From"/> to <paramref name="To"/> (UTC dates, both included; null: no bound).
/// </summary>
public sealed record DashboardFilter(string? ModelVersion = null, string? Cohort = null, string? Site = null, bool BySite = false, DateOnly? From = null,
    DateOnly? To = null);

/// <summary>A value, or why it cannot be estimated on these data (too few events, one class, fewer than two per group).</summary>
public sealed record Estimate<T>(T? Value, string? Reason) where T : class
{
    /// <summary>Estimated.</summary>
    public bool IsEstimable => Value is not null;

    /// <summary>An estimate.</summary>
    public static Estimate<T> Of(T value) => new(value, null);

    /// <summary>Not estimable, with why.</summary>
    public static Estimate<T> Not(string reason) => new(null, reason);
}

/// <summary>A trained model version that can be chosen.</summary>
public sealed record DashboardModelOption(string Version, string Kind, bool IsActive, string Cohort, double Threshold);

/// <summary>
/// The principal investigators' dashboard for one filter and one state of the data: Table 1 of the cohorts shown
/// (<see cref="Characteristics"/>, whether or not a model is trained) and per cohort (and site), the paper's Table 2,
/// Figs 4C-G, 5 and 6A. Computed once per data version (<see cref="DataVersion"/>) and filter, then shared.
/// </summary>
public sealed record StudyDashboard(
    DashboardFilter Filter,
    string DataVersion,
    DateTime ComputedUtc,
    string? ModelVersion,
    string? ModelKind,
    double Threshold,
    string? DerbyVersion,
    string? DerbyPlusVersion,
    IReadOnlyList<DashboardModelOption> Models,
    IReadOnlyList<string> Cohorts,
    IReadOnlyList<string> Sites,
    IReadOnlyList<CohortDashboard> Sections,
    string? Unavailable,
    CohortCharacteristics Characteristics,
    ModelFigures? Figures = null);

/// <summary>
/// The figures of the dashboard's model version: its LASSO path and cross-validation curve (Supplementary Fig. S1), the
/// partial dependence of the TRS on each input (Fig. 3D) and the deep-feature clustering heatmap (Fig. 3C; null when the
/// network's features could not be read at training). Read from the version's hash-checked artefacts.
/// </summary>
public sealed record ModelFigures(string Version, LassoCurve Lasso, PartialDependenceSet PartialDependence, FeatureHeatmap? Heatmap);

/// <summary>
/// One cohort (all sites, or one site when Site is set). Evaluated: members with an outcome and a score of the
/// dashboard's model; Note: how the model's scores were obtained here (cross-validated in its own training cohort).
/// </summary>
public sealed record CohortDashboard(
    string Cohort,
    string Name,
    string? Site,
    int Members,
    int Evaluated,
    int Responders,
    string? Note,
    IReadOnlyList<PerformanceRow> Performance,
    Estimate<PairedAucTest> DeLong,
    IReadOnlyList<SignatureComparison> SignatureComparisons,
    IReadOnlyList<RocSeries> Roc,
    Estimate<CalibrationView> Calibration,
    Estimate<DecisionCurveView> DecisionCurve,
    Estimate<SurvivalView> Pfs,
    Estimate<SurvivalView> Os,
    IReadOnlyList<WaterfallBar> Waterfall,
    Estimate<TrsByResponse> TrsByResponse,
    IReadOnlyList<GroupRates> Rates);

/// <summary>
/// One row of Table 2: a model ("DERBY", "DERBY+", or a signature of the dashboard's model: "clinical", "imaging",
/// "histological") on a cohort; Version: the model version whose scores these are.
/// </summary>
public sealed record PerformanceRow(string Model, string? Version, int Patients, int Responders, double Threshold, Estimate<AucEstimate> Auc,
    Estimate<DiagnosticSummary> Accuracy);

/// <summary>DeLong's paired test of DERBY against DERBY+ on the patients both scored.</summary>
public sealed record PairedAucTest(string Model1, string Model2, int Patients, AucComparison Comparison);

/// <summary>Paired DeLong test of the dashboard's model against one of its signatures, on the patients the signature scored (or why not).</summary>
public sealed record SignatureComparison(string Model, string Signature, Estimate<PairedAucTest> Test);

/// <summary>A model's ROC curve (Fig. 4C), or why it has none.</summary>
public sealed record RocSeries(string Model, double? Auc, IReadOnlyList<RocPoint> Points, string? Reason);

/// <summary>Calibration of the TRS as a probability of response: Brier score, Hosmer-Lemeshow test (10 risk groups) and the groups.</summary>
public sealed record CalibrationView(double Brier, ChiSquareResult? HosmerLemeshow, string? HosmerLemeshowReason, IReadOnlyList<CalibrationBin> Bins);

/// <summary>Decision curve (Fig. 6A): the model's net benefit, treat-all and treat-none (0) per threshold probability.</summary>
public sealed record DecisionCurveView(IReadOnlyList<NetBenefitPoint> Points);

/// <summary>Kaplan-Meier by predicted group (Fig. 5) with the number at risk, log-rank p and the Cox hazard ratio of predicted responders.</summary>
public sealed record SurvivalView(string Endpoint, IReadOnlyList<KaplanMeierCurve> Curves, IReadOnlyList<double> RiskTimes, IReadOnlyList<RiskRow> AtRisk,
    Estimate<ChiSquareResult> LogRank, Estimate<CoxCoefficient> HazardRatio);

/// <summary>Number at risk of one group at the view's times.</summary>
public sealed record RiskRow(string Group, IReadOnlyList<int> AtRisk);

/// <summary>One patient's bar of the TRS waterfall (Fig. 4D-F).</summary>
public sealed record WaterfallBar(string Pseudonym, double Trs, string BestResponse, bool Responder, bool PredictedResponder);

/// <summary>TRS of responders (CR/PR) against SD+PD with the Mann-Whitney test (Fig. 4G).</summary>
public sealed record TrsByResponse(IReadOnlyList<double> Responders, IReadOnlyList<double> NonResponders, TestResult MannWhitney);

/// <summary>Objective response and conversion-to-resection rates of one predicted group, with Clopper-Pearson 95% CIs.</summary>
public sealed record GroupRates(string Group, int Patients, int Responses, Estimate<ProportionEstimate> ResponseRate, int Resections,
    Estimate<ProportionEstimate> ResectionRate);
