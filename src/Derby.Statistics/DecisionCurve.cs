namespace Derby.Statistics;

/// <summary>Decision curve analysis (Vickers and Elkin 2006, Med Decis Making 26:565).</summary>
public static class DecisionCurve
{
    /// <summary>
    /// Net benefit TP/n - FP/n * pt / (1 - pt), calling a patient positive when risk &gt;= pt, for pt = from, from + by, ... &lt;= to
    /// (each threshold computed as from + k * by, so no error accumulates). Treat-all: prevalence - (1 - prevalence) pt / (1 - pt).
    /// </summary>
    public static IReadOnlyList<NetBenefitPoint> Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels,
        double from = 0.01, double to = 0.99, double by = 0.01)
    {
        if (probabilities.Length != labels.Length || probabilities.Length == 0)
        {
            throw new StatisticsException("Probabilities and labels must be non-empty and of equal length.");
        }

        if (!(from > 0 && to < 1 && from <= to && by > 0))
        {
            throw new StatisticsException($"Thresholds must satisfy 0 < from <= to < 1 and by > 0 (got {from}, {to}, {by}).");
        }

        var sorted = new double[probabilities.Length];
        var caseScores = new List<double>();
        var events = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0 or 1))
            {
                throw new StatisticsException($"Label {i + 1} is {labels[i]}; labels must be 0 or 1.");
            }

            sorted[i] = probabilities[i];
            if (labels[i] == 1)
            {
                caseScores.Add(probabilities[i]);
                events++;
            }
        }

        Array.Sort(sorted);
        var cases = caseScores.ToArray();
        Array.Sort(cases);
        double n = labels.Length;
        var prevalence = events / n;
        var points = new List<NetBenefitPoint>();
        var count = (int)Math.Floor((to - from) / by + 1e-10);
        for (var k = 0; k <= count; k++)
        {
            var pt = from + k * by;
            var odds = pt / (1 - pt);
            var positives = sorted.Length - SortedSearch.LowerBound(sorted, pt);
            var tp = cases.Length - SortedSearch.LowerBound(cases, pt);
            var fp = positives - tp;
            points.Add(new NetBenefitPoint(pt, tp / n - fp / n * odds, prevalence - (1 - prevalence) * odds));
        }

        return points;
    }

}
