namespace Derby.Statistics;

/// <summary>One Cox coefficient with its hazard ratio, Wald interval and Wald test.</summary>
/// <param name="Name">The covariate.</param>
/// <param name="Coefficient">The log hazard ratio.</param>
/// <param name="StandardError">Its standard error (inverse information).</param>
/// <param name="HazardRatio">exp(coefficient).</param>
/// <param name="HazardRatioLower">Lower Wald limit of the hazard ratio.</param>
/// <param name="HazardRatioUpper">Upper Wald limit of the hazard ratio.</param>
/// <param name="Z">Wald z.</param>
/// <param name="P">Two-sided Wald p.</param>
/// <param name="MayBeInfinite">
/// The partial likelihood is monotone in this coefficient (R's coxph warns "coefficient may be infinite"): the events separate
/// along the covariate, the estimate is only where the iterations stopped, and the hazard ratio, its interval and its test
/// mean nothing. Callers should report the hazard ratio as not estimable.
/// </param>
public sealed record CoxCoefficient(string Name, double Coefficient, double StandardError, double HazardRatio,
    double HazardRatioLower, double HazardRatioUpper, double Z, double P, bool MayBeInfinite);
