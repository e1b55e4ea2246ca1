using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Derby.Statistics;

/// <summary>Tail probabilities computed without cancellation (R's <c>lower.tail = FALSE</c>).</summary>
internal static class Distributions
{
    /// <summary>Two-sided normal p-value, 2 * pnorm(-|z|).</summary>
    public static double TwoSidedNormalP(double z) => double.IsNaN(z) ? double.NaN : 2 * Normal.CDF(0, 1, -Math.Abs(z));

    /// <summary>pchisq(x, df, lower.tail = FALSE), as the regularised upper incomplete gamma Q(df/2, x/2).</summary>
    public static double ChiSquareUpper(double x, double df)
    {
        if (double.IsNaN(x) || df <= 0)
        {
            return double.NaN;
        }

        return x <= 0 ? 1.0 : SpecialFunctions.GammaUpperRegularized(df / 2, x / 2);
    }

    /// <summary>qnorm(p).</summary>
    public static double NormalQuantile(double p) => Normal.InvCDF(0, 1, p);

    /// <summary>R's default sample quantile (type 7): linear interpolation between order statistics of a sorted array.</summary>
    public static double QuantileType7(double[] sorted, double p)
    {
        var n = sorted.Length;
        var h = (n - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, n - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
