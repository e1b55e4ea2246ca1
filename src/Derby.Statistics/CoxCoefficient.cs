namespace Derby.Statistics;

/// <summary>One Cox coefficient with its hazard ratio, Wald interval and Wald test.</summary>
public sealed record CoxCoefficient(string Name, double Coefficient, double StandardError, double HazardRatio,
    double HazardRatioLower, double HazardRatioUpper, double Z, double P);
