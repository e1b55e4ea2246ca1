using MathNet.Numerics.Distributions;

namespace Derby.Statistics;

/// <summary>Confidence intervals for a binomial proportion.</summary>
public static class BinomialConfidenceInterval
{
    /// <summary>
    /// The proportion <paramref name="successes"/> / <paramref name="trials"/> with its interval.
    /// Clopper-Pearson: [qbeta(a/2; k, n-k+1), qbeta(1-a/2; k+1, n-k)], 0 and 1 at the edges (R's <c>binom.test</c>).
    /// Wilson: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), clipped to [0, 1] (R's <c>prop.test(correct = FALSE)</c>).
    /// </summary>
    public static ProportionEstimate Compute(int successes, int trials, BinomialCiMethod method = BinomialCiMethod.ClopperPearson, double confidenceLevel = 0.95)
    {
        if (trials <= 0)
        {
            throw new StatisticsException($"A proportion needs at least one trial (got {trials}).");
        }

        if (successes < 0 || successes > trials)
        {
            throw new StatisticsException($"Successes must lie between 0 and the number of trials (got {successes} of {trials}).");
        }

        var alpha = 1 - confidenceLevel;
        double k = successes, n = trials;
        var p = k / n;
        if (method == BinomialCiMethod.ClopperPearson)
        {
            var lower = successes == 0 ? 0.0 : Beta.InvCDF(k, n - k + 1, alpha / 2);
            var upper = successes == trials ? 1.0 : Beta.InvCDF(k + 1, n - k, 1 - alpha / 2);
            return new ProportionEstimate(p, lower, upper);
        }

        var z = Distributions.NormalQuantile(1 - alpha / 2);
        var z22n = z * z / (2 * n);
        var spread = z * Math.Sqrt(p * (1 - p) / n + z22n / (2 * n));
        var lo = Math.Max(0, (p + z22n - spread) / (1 + 2 * z22n));
        var hi = Math.Min(1, (p + z22n + spread) / (1 + 2 * z22n));
        return new ProportionEstimate(p, lo, hi);
    }
}
