namespace Derby.Learning.Mixtures;

/// <summary>The outcome of <see cref="GaussianMixture.SelectByBic"/>.</summary>
/// <param name="Best">The mixture with the lowest BIC.</param>
/// <param name="Candidates">Every K tried with its BIC, in the order tried.</param>
public sealed record BicSelection(GaussianMixture Best, IReadOnlyList<(int K, double Bic)> Candidates);
