namespace Derby.Statistics;

/// <summary>A chi-square statistic with its degrees of freedom and upper-tail p-value.</summary>
public sealed record ChiSquareResult(double ChiSquare, int DegreesOfFreedom, double P);
