namespace Derby.Statistics;

/// <summary>LASSO logistic coefficients at one lambda, on the covariates' original scale.</summary>
/// <param name="Lambda">The penalty.</param>
/// <param name="Intercept">Unpenalised intercept.</param>
/// <param name="Coefficients">One per covariate, in the order given.</param>
public sealed record LassoFit(double Lambda, double Intercept, IReadOnlyList<double> Coefficients);
