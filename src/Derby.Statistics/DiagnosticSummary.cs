namespace Derby.Statistics;

/// <summary>A confusion matrix at one threshold with the usual proportions and their confidence intervals.</summary>
public sealed record DiagnosticSummary(
    int TruePositives,
    int FalsePositives,
    int TrueNegatives,
    int FalseNegatives,
    ProportionEstimate? Sensitivity,
    ProportionEstimate? Specificity,
    ProportionEstimate? PositivePredictiveValue,
    ProportionEstimate? NegativePredictiveValue,
    ProportionEstimate Accuracy);
