namespace Derby.Statistics;

/// <summary>The Schoenfeld-residual test of proportional hazards: one row per covariate plus the global test (R's <c>cox.zph</c>).</summary>
/// <param name="Terms">Per covariate, in model order.</param>
/// <param name="Global">All covariates together.</param>
public sealed record ProportionalHazardsTest(IReadOnlyList<(string Name, ChiSquareResult Test)> Terms, ChiSquareResult Global);
