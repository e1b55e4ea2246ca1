namespace Derby.Statistics;

/// <summary>A proportion with its two-sided confidence interval.</summary>
/// <param name="Estimate">Successes / trials.</param>
/// <param name="Lower">Lower confidence limit.</param>
/// <param name="Upper">Upper confidence limit.</param>
public sealed record ProportionEstimate(double Estimate, double Lower, double Upper);
