namespace Derby.Statistics;

/// <summary>The LASSO solution path over glmnet's lambda sequence.</summary>
/// <param name="Names">Covariate names.</param>
/// <param name="Fits">One fit per lambda, largest lambda first (the sequence stops early as glmnet's does).</param>
/// <param name="DevianceRatios">Fraction of null deviance explained at each lambda (glmnet's <c>dev.ratio</c>).</param>
public sealed record LassoPath(IReadOnlyList<string> Names, IReadOnlyList<LassoFit> Fits, IReadOnlyList<double> DevianceRatios);
