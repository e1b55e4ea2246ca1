namespace Derby.Statistics;

/// <summary>
/// Kaplan-Meier estimator with the defaults of R's <c>survival::survfit</c>: Greenwood variance of log S,
/// se = sqrt(sum d / (n (n - d))), <c>conf.type = "log"</c> intervals S exp(+-z se) with the upper limit capped at 1, and
/// medians read off the curve and its limits as <c>quantile.survfit</c> does (a flat stretch at exactly 0.5 gives the
/// midpoint to the next drop).
/// </summary>
public static class KaplanMeier
{
    /// <summary>R's tolerance in <c>quantile.survfit</c>, sqrt(.Machine$double.eps).</summary>
    private const double Tolerance = 1.4901161193847656e-08;

    /// <summary>One curve over all subjects.</summary>
    public static KaplanMeierCurve Fit(ReadOnlySpan<double> times, ReadOnlySpan<int> events, double confidenceLevel = 0.95)
    {
        Validate(times, events);
        return FitOne(null, times.ToArray(), events.ToArray(), confidenceLevel);
    }

    /// <summary>
    /// One curve per group, in R's factor order (numeric order when every group value is a number, otherwise ordinal text
    /// order).
    /// </summary>
    public static IReadOnlyList<KaplanMeierCurve> FitGroups(ReadOnlySpan<double> times, ReadOnlySpan<int> events, IReadOnlyList<string> groups,
        double confidenceLevel = 0.95)
    {
        Validate(times, events);
        if (groups.Count != times.Length)
        {
            throw new StatisticsException("Groups and times differ in length.");
        }

        var result = new List<KaplanMeierCurve>();
        var t = times.ToArray();
        var e = events.ToArray();
        foreach (var level in GroupLevels.Of(groups))
        {
            var idx = Enumerable.Range(0, t.Length).Where(i => groups[i] == level).ToArray();
            result.Add(FitOne(level, idx.Select(i => t[i]).ToArray(), idx.Select(i => e[i]).ToArray(), confidenceLevel));
        }

        return result;
    }

    /// <summary>
    /// Number at risk at each of <paramref name="at"/>: subjects whose follow-up time is &gt;= t (the table under a Kaplan-Meier
    /// plot; R's <c>summary(survfit(...), times = at, extend = TRUE)$n.risk</c>).
    /// </summary>
    public static int[] NumberAtRisk(ReadOnlySpan<double> times, ReadOnlySpan<double> at)
    {
        var sorted = times.ToArray();
        Array.Sort(sorted);
        var result = new int[at.Length];
        for (var k = 0; k < at.Length; k++)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (sorted[mid] < at[k])
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            result[k] = sorted.Length - lo;
        }

        return result;
    }

    internal static void Validate(ReadOnlySpan<double> times, ReadOnlySpan<int> events)
    {
        if (times.Length != events.Length)
        {
            throw new StatisticsException($"Times and events differ in length ({times.Length} and {events.Length}).");
        }

        if (times.Length == 0)
        {
            throw new StatisticsException("No observations.");
        }

        for (var i = 0; i < times.Length; i++)
        {
            if (double.IsNaN(times[i]) || times[i] < 0)
            {
                throw new StatisticsException($"Time {i + 1} is {times[i]}; survival times must be non-negative numbers.");
            }

            if (events[i] is not (0 or 1))
            {
                throw new StatisticsException($"Event {i + 1} is {events[i]}; events must be 0 (censored) or 1 (event).");
            }
        }
    }

    private static KaplanMeierCurve FitOne(string? group, double[] times, int[] events, double confidenceLevel)
    {
        var order = Enumerable.Range(0, times.Length).OrderBy(i => times[i]).ToArray();
        var z = Distributions.NormalQuantile(1 - (1 - confidenceLevel) / 2);
        var n = times.Length;
        var atRisk = n;
        var s = 1.0;
        var greenwood = 0.0;
        var points = new List<SurvivalPoint>();
        // Every distinct time (censored ones too) with S, lower, upper: quantile.survfit reads the median off these.
        var allTimes = new List<double>();
        var allS = new List<double>();
        var allLower = new List<double>();
        var allUpper = new List<double>();
        var k = 0;
        var totalEvents = 0;
        while (k < n)
        {
            var t = times[order[k]];
            int d = 0, c = 0;
            while (k < n && times[order[k]] == t)
            {
                if (events[order[k]] == 1)
                {
                    d++;
                }
                else
                {
                    c++;
                }

                k++;
            }

            double lower, upper;
            if (d > 0)
            {
                s *= 1 - (double)d / atRisk;
                greenwood += atRisk == d ? double.PositiveInfinity : (double)d / ((double)atRisk * (atRisk - d));
            }

            if (s > 0)
            {
                var se = Math.Sqrt(greenwood);
                lower = Math.Exp(Math.Log(s) - z * se);
                upper = Math.Min(1, Math.Exp(Math.Log(s) + z * se));
            }
            else
            {
                lower = upper = double.NaN;
            }

            if (d > 0)
            {
                points.Add(new SurvivalPoint(t, atRisk, d, s, NullIfNaN(lower), NullIfNaN(upper)));
            }

            allTimes.Add(t);
            allS.Add(s);
            allLower.Add(lower);
            allUpper.Add(upper);
            totalEvents += d;
            atRisk -= d + c;
        }

        var median = Quantile(allTimes, allS, 0.5);
        var medianLower = Quantile(allTimes, allLower, 0.5);
        var medianUpper = Quantile(allTimes, allUpper, 0.5);
        return new KaplanMeierCurve(group, n, totalEvents, median, medianLower, medianUpper, points);
    }

    /// <summary>
    /// survival's internal <c>findq(c(0, time), c(0, 1 - surv), p, tol)</c>: the first time 1 - S reaches p; if 1 - S equals
    /// p (within tol) on a flat stretch, the midpoint of that stretch's start and the next time S drops (or the last time).
    /// </summary>
    private static double? Quantile(List<double> times, List<double> surv, double p)
    {
        var x = new List<double> { 0.0 };
        var y = new List<double> { 0.0 };
        for (var i = 0; i < times.Count; i++)
        {
            x.Add(times[i]);
            y.Add(1 - surv[i]);
        }

        var xmax = x[^1];
        // Drop repeated values of y (keeping the first), then NaN pairs (approx's na.rm).
        var keptX = new List<double>();
        var keptY = new List<double>();
        var seen = new HashSet<double>();
        for (var i = 0; i < y.Count; i++)
        {
            if (!double.IsNaN(y[i]) && seen.Add(y[i]))
            {
                keptX.Add(x[i]);
                keptY.Add(y[i]);
            }
        }

        var lastWasNaN = LastDistinctIsNaN(y);
        if (keptY.Count == 0 || keptY.Max() < p)
        {
            return null;
        }

        var i1 = FirstAtLeast(keptY, p - Tolerance);
        var i2 = FirstAtLeast(keptY, p + Tolerance);
        if (i1 < 0)
        {
            return null;
        }

        if (!lastWasNaN && Math.Abs(p - keptY[^1]) < Tolerance)
        {
            return (keptX[i1] + xmax) / 2;
        }

        if (i2 < 0)
        {
            return null;
        }

        return (keptX[i1] + keptX[i2]) / 2;
    }

    /// <summary>R checks <c>!is.na(y[n])</c> after removing duplicates; NaN survives <c>duplicated</c> once.</summary>
    private static bool LastDistinctIsNaN(List<double> y)
    {
        // After duplicated() the last element is the last first-occurrence; a NaN is last only if it first occurs after every
        // distinct number's first occurrence.
        var firstNaN = y.FindIndex(double.IsNaN);
        if (firstNaN < 0)
        {
            return false;
        }

        var seen = new HashSet<double>();
        var lastFirstNumber = -1;
        for (var i = 0; i < y.Count; i++)
        {
            if (!double.IsNaN(y[i]) && seen.Add(y[i]))
            {
                lastFirstNumber = i;
            }
        }

        return firstNaN > lastFirstNumber;
    }

    /// <summary>First index whose value is &gt;= v (values increasing), or -1.</summary>
    private static int FirstAtLeast(List<double> values, double v)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] >= v)
            {
                return i;
            }
        }

        return -1;
    }

    private static double? NullIfNaN(double v) => double.IsNaN(v) ? null : v;
}
