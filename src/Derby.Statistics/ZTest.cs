using MathNet.Numerics.Statistics;

namespace Derby.Statistics;

/// <summary>Two-sample z-test of means (the paper compares therapy response scores with it).</summary>
public static class ZTest
{
    /// <summary>z = (mean x - mean y) / sqrt(s_x^2 / m + s_y^2 / n) with sample variances, two-sided normal p.</summary>
    public static TestResult TwoSample(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length < 2 || y.Length < 2)
        {
            throw new StatisticsException($"The z-test needs at least two values per group (got {x.Length} and {y.Length}).");
        }

        var xs = x.ToArray();
        var ys = y.ToArray();
        var z = (xs.Mean() - ys.Mean()) / Math.Sqrt(xs.Variance() / xs.Length + ys.Variance() / ys.Length);
        return new TestResult(z, Distributions.TwoSidedNormalP(z));
    }
}
