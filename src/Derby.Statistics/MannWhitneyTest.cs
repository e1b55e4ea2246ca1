using MathNet.Numerics.Distributions;

namespace Derby.Statistics;

/// <summary>
/// The Wilcoxon rank-sum / Mann-Whitney U test with the defaults of R's <c>wilcox.test(x, y)</c>: W = rank sum of x minus
/// m (m + 1) / 2; exact p from the null distribution when both samples have fewer than 50 values and there are no ties,
/// otherwise the normal approximation with tie-corrected variance and continuity correction.
/// </summary>
public static class MannWhitneyTest
{
    /// <summary>Two-sided test of x against y.</summary>
    public static TestResult Compute(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int m = x.Length, n = y.Length;
        if (m == 0 || n == 0)
        {
            throw new StatisticsException($"The Mann-Whitney test needs values in both groups (got {m} and {n}).");
        }

        var pooled = new double[m + n];
        x.CopyTo(pooled);
        y.CopyTo(pooled.AsSpan(m));
        var ranks = Ranks.Midranks(pooled);
        var rankSum = 0.0;
        for (var i = 0; i < m; i++)
        {
            rankSum += ranks[i];
        }

        var w = rankSum - m * (m + 1) / 2.0;
        var ties = Ranks.TieSizes(pooled);
        if (m < 50 && n < 50 && ties.Count == 0)
        {
            // R: p <- if (q > m n / 2) pwilcox(q - 1, m, n, lower.tail = FALSE) else pwilcox(q, m, n); min(2 p, 1)
            var counts = WilcoxonCounts(m, n);
            var total = counts.Sum();
            var q = (int)Math.Round(w);
            double p;
            if (q > m * n / 2.0)
            {
                p = counts.Skip(q).Sum() / total;
            }
            else
            {
                p = counts.Take(q + 1).Sum() / total;
            }

            return new TestResult(w, Math.Min(2 * p, 1));
        }

        double nn = m + n;
        var tieSum = ties.Sum(t => (double)t * t * t - t);
        var sigma = Math.Sqrt(m * (double)n / 12 * (nn + 1 - tieSum / (nn * (nn - 1))));
        var zRaw = w - m * (double)n / 2;
        var correction = Math.Sign(zRaw) * 0.5;
        var z = (zRaw - correction) / sigma;
        var pNormal = 2 * Math.Min(Normal.CDF(0, 1, z), Normal.CDF(0, 1, -z));
        return new TestResult(w, pNormal);
    }

    /// <summary>Number of arrangements giving each value 0..m n of the statistic (the recursion behind R's <c>dwilcox</c>).</summary>
    private static double[] WilcoxonCounts(int m, int n)
    {
        // c[j][k]: arrangements of j x-values among j + i values with statistic k, built one y-value at a time.
        var max = m * n;
        var prev = new double[m + 1][];
        for (var j = 0; j <= m; j++)
        {
            prev[j] = new double[max + 1];
            prev[j][0] = 1; // with i = 0 y-values the statistic is 0
        }

        for (var i = 1; i <= n; i++)
        {
            var cur = new double[m + 1][];
            cur[0] = new double[max + 1];
            cur[0][0] = 1;
            for (var j = 1; j <= m; j++)
            {
                cur[j] = new double[max + 1];
                // The largest of the j + i values is either an x (adds i to the statistic) or a y (adds nothing).
                for (var k = 0; k <= j * i; k++)
                {
                    var v = prev[j][k];
                    if (k >= i)
                    {
                        v += cur[j - 1][k - i];
                    }

                    cur[j][k] = v;
                }
            }

            prev = cur;
        }

        return prev[m];
    }
}
