namespace Derby.Statistics;

/// <summary>Brier score, Hosmer-Lemeshow test, binned calibration curve and calibration intercept / slope.</summary>
public static class Calibration
{
    /// <summary>Brier (1950): mean of (p - y)^2.</summary>
    public static double Brier(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> outcomes)
    {
        Check(probabilities, outcomes);
        var s = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var d = probabilities[i] - outcomes[i];
            s += d * d;
        }

        return s / probabilities.Length;
    }

    /// <summary>
    /// Hosmer and Lemeshow (1980) over groups of predicted risk, exactly as <c>ResourceSelection::hoslem.test(y, p, g)</c>:
    /// breaks are the unique type-7 quantiles of p at 0, 1/g, ..., 1; groups are <c>cut(p, breaks, include.lowest = TRUE)</c>
    /// (right-closed); the statistic sums (O - E)^2 / E over both outcome columns; df = g - 2 even when tied quantiles
    /// merged groups (as the package does).
    /// </summary>
    public static ChiSquareResult HosmerLemeshow(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> outcomes, int groups = 10)
    {
        Check(probabilities, outcomes);
        if (groups < 3)
        {
            throw new StatisticsException($"The Hosmer-Lemeshow test needs at least 3 groups (got {groups}).");
        }

        var chisq = 0.0;
        foreach (var g in Groups(probabilities, outcomes, groups))
        {
            double obs1 = g.Events, obs0 = g.Count - g.Events, exp1 = g.SumP, exp0 = g.Count - g.SumP;
            chisq += (obs0 - exp0) * (obs0 - exp0) / exp0 + (obs1 - exp1) * (obs1 - exp1) / exp1;
        }

        return new ChiSquareResult(chisq, groups - 2, Distributions.ChiSquareUpper(chisq, groups - 2));
    }

    /// <summary>
    /// The Hosmer-Lemeshow risk groups as a calibration curve. A group can be empty when tied probabilities put a quantile
    /// between two data values; it is kept (with NaN means) as R keeps the empty factor level, and it makes the
    /// Hosmer-Lemeshow statistic NaN exactly as <c>hoslem.test</c> does.
    /// </summary>
    public static IReadOnlyList<CalibrationBin> Bins(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> outcomes, int groups = 10)
    {
        Check(probabilities, outcomes);
        return Groups(probabilities, outcomes, groups)
            .Select(g => new CalibrationBin((int)g.Count, g.Count > 0 ? g.SumP / g.Count : double.NaN, g.Count > 0 ? g.Events / g.Count : double.NaN))
            .ToList();
    }

    /// <summary>All of the above, plus the logistic recalibration intercept and slope (Cox 1958).</summary>
    public static CalibrationSummary Summarize(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> outcomes, int groups = 10)
    {
        Check(probabilities, outcomes);
        var logit = new double[probabilities.Length];
        for (var i = 0; i < logit.Length; i++)
        {
            if (probabilities[i] <= 0 || probabilities[i] >= 1)
            {
                throw new StatisticsException($"Probability {i + 1} is {probabilities[i]}; the calibration slope needs probabilities strictly between 0 and 1.");
            }

            logit[i] = GlmFit.Logit(probabilities[i]);
        }

        var y = outcomes.ToArray();
        var fit = GlmFit.Fit([Enumerable.Repeat(1.0, y.Length).ToArray(), logit], y);
        if (!fit.Converged || fit.Boundary)
        {
            throw new StatisticsException("The calibration intercept and slope could not be estimated: the outcome is perfectly separated by the predictions.");
        }

        return new CalibrationSummary(Brier(probabilities, outcomes), HosmerLemeshow(probabilities, outcomes, groups), fit.Beta[0], fit.Beta[1],
            Bins(probabilities, outcomes, groups));
    }

    private sealed class Group
    {
        public double Count;
        public double Events;
        public double SumP;
    }

    private static List<Group> Groups(ReadOnlySpan<double> p, ReadOnlySpan<double> y, int groups)
    {
        var sorted = p.ToArray();
        Array.Sort(sorted);
        var breaks = new List<double>();
        for (var k = 0; k <= groups; k++)
        {
            var q = Distributions.QuantileType7(sorted, (double)k / groups);
            if (breaks.Count == 0 || q != breaks[^1])
            {
                breaks.Add(q);
            }
        }

        if (breaks.Count < 2)
        {
            throw new StatisticsException("All predicted probabilities are equal; risk groups cannot be formed.");
        }

        var result = Enumerable.Range(0, breaks.Count - 1).Select(_ => new Group()).ToList();
        for (var i = 0; i < p.Length; i++)
        {
            // Right-closed intervals (b[k-1], b[k]], the first one closed on the left too.
            var k = BinarySearchFirstAtLeast(breaks, p[i]);
            var g = result[Math.Max(k - 1, 0)];
            g.Count++;
            g.Events += y[i];
            g.SumP += p[i];
        }

        return result;
    }

    private static int BinarySearchFirstAtLeast(List<double> breaks, double v)
    {
        int lo = 0, hi = breaks.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (breaks[mid] < v)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void Check(ReadOnlySpan<double> p, ReadOnlySpan<double> y)
    {
        if (p.Length != y.Length)
        {
            throw new StatisticsException($"Probabilities and outcomes differ in length ({p.Length} and {y.Length}).");
        }

        if (p.Length == 0)
        {
            throw new StatisticsException("No observations.");
        }

        var events = 0;
        for (var i = 0; i < p.Length; i++)
        {
            if (double.IsNaN(p[i]) || p[i] < 0 || p[i] > 1)
            {
                throw new StatisticsException($"Probability {i + 1} is {p[i]}; probabilities must lie in [0, 1].");
            }

            if (y[i] is not (0 or 1))
            {
                throw new StatisticsException($"Outcome {i + 1} is {y[i]}; outcomes must be 0 or 1.");
            }

            events += (int)y[i];
        }

        if (events == 0 || events == p.Length)
        {
            throw new StatisticsException($"Calibration needs both outcomes; all {p.Length} observations are {(events == 0 ? 0 : 1)}.");
        }
    }
}
