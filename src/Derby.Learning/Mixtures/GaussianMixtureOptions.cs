namespace Derby.Learning.Mixtures;

/// <summary>EM settings of <see cref="GaussianMixture"/>, with scikit-learn's defaults.</summary>
/// <param name="RegCovar">Added to every covariance's diagonal (scikit-learn's <c>reg_covar</c>).</param>
/// <param name="Tolerance">EM stops when the mean log-likelihood changes by less (scikit-learn's <c>tol</c>).</param>
/// <param name="MaxIterations">EM iterations at most (scikit-learn's <c>max_iter</c>).</param>
/// <param name="KMeansIterations">Lloyd iterations after the k-means++ seeding, at most.</param>
public sealed record GaussianMixtureOptions(double RegCovar = 1e-6, double Tolerance = 1e-3, int MaxIterations = 100, int KMeansIterations = 300)
{
    /// <summary>scikit-learn's defaults.</summary>
    public static GaussianMixtureOptions Default { get; } = new();
}
