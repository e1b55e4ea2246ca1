namespace Derby.Statistics;

/// <summary>One coefficient of a logistic regression, with its odds ratio, profile-likelihood CI of the odds ratio and Wald test.</summary>
public sealed record LogisticCoefficient(string Name, double Coefficient, double StandardError, double OddsRatio,
    double OddsRatioLower, double OddsRatioUpper, double Z, double P);
