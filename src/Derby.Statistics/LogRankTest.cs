using MathNet.Numerics.LinearAlgebra;

namespace Derby.Statistics;

/// <summary>The log-rank test of equal survival across groups (Mantel 1966), as R's <c>survival::survdiff</c> with rho = 0.</summary>
public static class LogRankTest
{
    /// <summary>
    /// Observed minus expected events per group, O_k - E_k with E_k = sum_t d_t n_kt / n_t, and the hypergeometric covariance
    /// V_kl = sum_t d_t (n_t - d_t) / (n_t - 1) * n_kt / n_t * (delta_kl - n_lt / n_t); chisq = (O - E)' V^-1 (O - E) over the groups
    /// with E &gt; 0 less the first (survdiff's generalised inverse), df = that count.
    /// </summary>
    public static ChiSquareResult Compute(ReadOnlySpan<double> times, ReadOnlySpan<int> events, IReadOnlyList<string> groups)
    {
        KaplanMeier.Validate(times, events);
        if (groups.Count != times.Length)
        {
            throw new StatisticsException("Groups and times differ in length.");
        }

        var levels = GroupLevels.Of(groups);
        if (levels.Count < 2)
        {
            throw new StatisticsException($"The log-rank test needs at least two groups (found {levels.Count}).");
        }

        var index = levels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
        var g = groups.Select(x => index[x]).ToArray();
        var t = times.ToArray();
        var e = events.ToArray();
        var order = Enumerable.Range(0, t.Length).OrderBy(i => t[i]).ToArray();
        var k = levels.Count;
        var atRisk = new double[k];
        foreach (var gi in g)
        {
            atRisk[gi]++;
        }

        var observed = new double[k];
        var expected = new double[k];
        var variance = new double[k, k];
        var deaths = new double[k];
        var pos = 0;
        while (pos < order.Length)
        {
            var time = t[order[pos]];
            Array.Clear(deaths);
            var leaving = new double[k];
            while (pos < order.Length && t[order[pos]] == time)
            {
                var i = order[pos++];
                deaths[g[i]] += e[i];
                leaving[g[i]]++;
            }

            var d = deaths.Sum();
            var n = atRisk.Sum();
            if (d > 0)
            {
                for (var a = 0; a < k; a++)
                {
                    observed[a] += deaths[a];
                    expected[a] += d * atRisk[a] / n;
                    if (n > 1)
                    {
                        var f = d * (n - d) / (n - 1) * atRisk[a] / n;
                        for (var b = 0; b < k; b++)
                        {
                            variance[a, b] += f * ((a == b ? 1 : 0) - atRisk[b] / n);
                        }
                    }
                }
            }

            for (var a = 0; a < k; a++)
            {
                atRisk[a] -= leaving[a];
            }
        }

        var used = Enumerable.Range(0, k).Where(a => expected[a] > 0).ToArray();
        var df = used.Length - 1;
        if (df < 1)
        {
            throw new StatisticsException("The log-rank test needs events expected in at least two groups.");
        }

        var kept = used.Skip(1).ToArray();
        var v = Matrix<double>.Build.Dense(kept.Length, kept.Length, (r, c) => variance[kept[r], kept[c]]);
        var diff = Vector<double>.Build.Dense(kept.Length, r => observed[kept[r]] - expected[kept[r]]);
        var chisq = v.Solve(diff).DotProduct(diff);
        return new ChiSquareResult(chisq, df, Distributions.ChiSquareUpper(chisq, df));
    }
}
