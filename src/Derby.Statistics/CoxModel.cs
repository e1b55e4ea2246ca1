namespace Derby.Statistics;

/// <summary>A fitted Cox proportional hazards model (R's <c>coxph</c> with Efron ties).</summary>
/// <param name="Count">Subjects.</param>
/// <param name="Events">Events.</param>
/// <param name="Coefficients">Covariates in the order given.</param>
/// <param name="LogLikelihoodNull">Partial log-likelihood at beta = 0.</param>
/// <param name="LogLikelihood">Partial log-likelihood at the estimate.</param>
/// <param name="Concordance">Harrell's C of the linear predictor (<c>coxph</c>'s <c>concordance</c>).</param>
/// <param name="Iterations">Newton-Raphson iterations used.</param>
public sealed record CoxModel(int Count, int Events, IReadOnlyList<CoxCoefficient> Coefficients, double LogLikelihoodNull, double LogLikelihood,
    double Concordance, int Iterations);
