namespace Derby.Statistics;

/// <summary>A fitted logistic regression (R's <c>glm(family = binomial)</c> with <c>confint</c>).</summary>
/// <param name="Coefficients">The intercept first, named "(Intercept)", then the covariates in the order given.</param>
/// <param name="Deviance">Residual deviance, -2 log L.</param>
/// <param name="Aic">Akaike's criterion, deviance + 2 p.</param>
/// <param name="Iterations">Fisher scoring iterations used.</param>
public sealed record LogisticModel(IReadOnlyList<LogisticCoefficient> Coefficients, double Deviance, double Aic, int Iterations);
