namespace Derby.Statistics;

/// <summary>A test statistic with its two-sided p-value.</summary>
public sealed record TestResult(double Statistic, double P);
