using MathNet.Numerics.Statistics;

namespace Derby.Statistics;

/// <summary>
/// ROC curve, AUC and its uncertainty, as pROC 1.18 computes them with a fixed direction.
/// </summary>
/// <remarks>
/// DeLong, DeLong and Clarke-Pearson (1988), Biometrics 44:837, for the variance of the AUC from its structural
/// components (placements); Sun and Xu (2014), IEEE Signal Processing Letters 21:1389, for computing those placements in
/// O(n log n) from three sets of midranks instead of O(m n) comparisons.
/// </remarks>
public static class RocAnalysis
{
    /// <summary>The empirical ROC curve with pROC's thresholds: -Inf, midpoints between consecutive distinct scores, +Inf.</summary>
    public static IReadOnlyList<RocPoint> Curve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, RocDirection direction = RocDirection.ControlsLower)
    {
        var (cases, controls) = Split(scores, labels, direction);
        Array.Sort(cases);
        Array.Sort(controls);
        var all = cases.Concat(controls).Distinct().Order().ToArray();
        var thresholds = new List<double> { double.NegativeInfinity };
        for (var i = 0; i + 1 < all.Length; i++)
        {
            thresholds.Add((all[i] + all[i + 1]) / 2);
        }

        thresholds.Add(double.PositiveInfinity);
        var points = new List<RocPoint>(thresholds.Count);
        foreach (var t in thresholds)
        {
            // Positive when score >= t; binary searches keep the curve O(n log n).
            var se = (double)(cases.Length - SortedSearch.LowerBound(cases, t)) / cases.Length;
            var sp = (double)SortedSearch.LowerBound(controls, t) / controls.Length;
            var shown = direction == RocDirection.ControlsLower ? t : -t;
            points.Add(new RocPoint(shown, se, sp));
        }

        return points;
    }

    /// <summary>The AUC (Mann-Whitney statistic / (m n)).</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, RocDirection direction = RocDirection.ControlsLower)
    {
        var (cases, controls) = Split(scores, labels, direction);
        return AucOf(cases, controls);
    }

    /// <summary>
    /// AUC with DeLong's variance and a normal interval qnorm(c(a/2, 1-a/2), auc, se) clipped to [0, 1]
    /// (pROC <c>ci.auc(method = "delong")</c>, the default).
    /// </summary>
    public static AucEstimate DeLong(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, RocDirection direction = RocDirection.ControlsLower, double confidenceLevel = 0.95)
    {
        var (cases, controls) = Split(scores, labels, direction);
        // Only the placements' distribution matters here, not which subject has which: sort both samples (in parallel) and
        // read the placements off one merge pass.
        Parallel.Invoke(() => RadixSort.Sort(cases), () => RadixSort.Sort(controls));
        var (auc, v10, v01) = SortedPlacements(cases, controls);
        var variance = SampleVariance(v10, auc) / cases.Length + SampleVariance(v01, auc) / controls.Length;
        var se = Math.Sqrt(variance);
        var z = Distributions.NormalQuantile(1 - (1 - confidenceLevel) / 2);
        return new AucEstimate(auc, Math.Max(0, auc - z * se), Math.Min(1, auc + z * se), se, cases.Length, controls.Length);
    }

    /// <summary>
    /// AUC with a stratified bootstrap percentile interval (cases and controls resampled separately, R's type-7 quantiles
    /// of the replicate AUCs; pROC <c>ci.auc(method = "bootstrap", boot.stratified = TRUE)</c>). The standard error is
    /// the replicates' standard deviation. Reproducible for a given seed; pROC's own numbers differ by Monte Carlo error.
    /// </summary>
    public static AucEstimate Bootstrap(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, int replicates = 2000, int seed = 1,
        RocDirection direction = RocDirection.ControlsLower, double confidenceLevel = 0.95)
    {
        if (replicates < 2)
        {
            throw new StatisticsException($"The bootstrap needs at least 2 replicates (got {replicates}).");
        }

        var (cases, controls) = Split(scores, labels, direction);
        var auc = AucOf(cases, controls);
        var random = new Random(seed);
        var aucs = new double[replicates];
        var bootCases = new double[cases.Length];
        var bootControls = new double[controls.Length];
        for (var r = 0; r < replicates; r++)
        {
            for (var i = 0; i < bootCases.Length; i++)
            {
                bootCases[i] = cases[random.Next(cases.Length)];
            }

            for (var j = 0; j < bootControls.Length; j++)
            {
                bootControls[j] = controls[random.Next(controls.Length)];
            }

            aucs[r] = AucOf(bootCases, bootControls);
        }

        var sd = aucs.StandardDeviation();
        Array.Sort(aucs);
        var a = (1 - confidenceLevel) / 2;
        return new AucEstimate(auc, Distributions.QuantileType7(aucs, a), Distributions.QuantileType7(aucs, 1 - a), sd, cases.Length, controls.Length);
    }

    /// <summary>
    /// DeLong's test of two correlated AUCs (pROC <c>roc.test(method = "delong", paired = TRUE)</c>):
    /// z = (A1 - A2) / sqrt(L S L'), S = S10 / m + S01 / n from the placements' covariance matrices, two-sided normal p.
    /// </summary>
    public static AucComparison CompareDeLong(ReadOnlySpan<double> scores1, ReadOnlySpan<double> scores2, ReadOnlySpan<int> labels,
        RocDirection direction = RocDirection.ControlsLower)
    {
        if (scores1.Length != scores2.Length)
        {
            throw new StatisticsException("Both scores must be measured on the same subjects (the columns differ in length).");
        }

        var (cases1, controls1) = Split(scores1, labels, direction);
        var (cases2, controls2) = Split(scores2, labels, direction);
        var (a1, v10a, v01a) = Placements(cases1, controls1);
        var (a2, v10b, v01b) = Placements(cases2, controls2);
        int m = cases1.Length, n = controls1.Length;
        var var1 = SampleVariance(v10a, a1) / m + SampleVariance(v01a, a1) / n;
        var var2 = SampleVariance(v10b, a2) / m + SampleVariance(v01b, a2) / n;
        var cov = SampleCovariance(v10a, a1, v10b, a2) / m + SampleCovariance(v01a, a1, v01b, a2) / n;
        var z = (a1 - a2) / Math.Sqrt(var1 + var2 - 2 * cov);
        return new AucComparison(a1, a2, z, Distributions.TwoSidedNormalP(z));
    }

    internal static (double[] Cases, double[] Controls) Split(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, RocDirection direction)
    {
        if (scores.Length != labels.Length)
        {
            throw new StatisticsException($"Scores and labels differ in length ({scores.Length} and {labels.Length}).");
        }

        var caseCount = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is not (0 or 1))
            {
                throw new StatisticsException($"Label {i + 1} is {labels[i]}; labels must be 0 (control) or 1 (case).");
            }

            caseCount += labels[i];
        }

        if (caseCount == 0 || caseCount == labels.Length)
        {
            throw new StatisticsException($"A ROC analysis needs both classes; got {caseCount} cases (label 1) and {labels.Length - caseCount} controls (label 0).");
        }

        var cases = new double[caseCount];
        var controls = new double[labels.Length - caseCount];
        var sign = direction == RocDirection.ControlsLower ? 1.0 : -1.0;
        int ci = 0, cj = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (double.IsNaN(scores[i]))
            {
                throw new StatisticsException($"Score {i + 1} is missing (NaN).");
            }

            if (labels[i] == 1)
            {
                cases[ci++] = sign * scores[i];
            }
            else
            {
                controls[cj++] = sign * scores[i];
            }
        }

        return (cases, controls);
    }

    /// <summary>
    /// Placements from sorted cases and controls in one merge pass: V10 = (#controls below + #controls tied / 2) / n for each case,
    /// V01 = (#cases above + #cases tied / 2) / m for each control (both in sorted, not subject, order).
    /// </summary>
    internal static (double Auc, double[] V10, double[] V01) SortedPlacements(double[] sortedCases, double[] sortedControls)
    {
        int m = sortedCases.Length, n = sortedControls.Length;
        var v10 = new double[m];
        var v01 = new double[n];
        var sum = 0.0;
        int i = 0, j = 0;
        while (i < m)
        {
            var x = sortedCases[i];
            var end = i + 1;
            while (end < m && sortedCases[end] == x)
            {
                end++;
            }

            while (j < n && sortedControls[j] < x)
            {
                j++;
            }

            var tied = j;
            while (tied < n && sortedControls[tied] == x)
            {
                tied++;
            }

            var v = (j + 0.5 * (tied - j)) / n;
            for (var k = i; k < end; k++)
            {
                v10[k] = v;
            }

            sum += v * (end - i);
            i = end;
        }

        i = 0;
        j = 0;
        while (j < n)
        {
            var y = sortedControls[j];
            var end = j + 1;
            while (end < n && sortedControls[end] == y)
            {
                end++;
            }

            while (i < m && sortedCases[i] < y)
            {
                i++;
            }

            var tied = i;
            while (tied < m && sortedCases[tied] == y)
            {
                tied++;
            }

            var v = (m - tied + 0.5 * (tied - i)) / m;
            for (var k = j; k < end; k++)
            {
                v01[k] = v;
            }

            j = end;
        }

        return (sum / m, v10, v01);
    }

    /// <summary>AUC from the rank sum of the cases in the pooled sample.</summary>
    internal static double AucOf(double[] cases, double[] controls)
    {
        int m = cases.Length, n = controls.Length;
        var pooled = new double[m + n];
        cases.CopyTo(pooled, 0);
        controls.CopyTo(pooled, m);
        var ranks = Ranks.Midranks(pooled);
        var sum = 0.0;
        for (var i = 0; i < m; i++)
        {
            sum += ranks[i];
        }

        return (sum - m * (m + 1) / 2.0) / ((double)m * n);
    }

    /// <summary>
    /// DeLong placements by Sun and Xu's midrank identity: V10_i = (Tz_i - Tx_i) / n for a case, V01_j = 1 - (Tz_j - Ty_j) / m
    /// for a control, where Tz are midranks in the pooled sample and Tx, Ty within cases and controls.
    /// </summary>
    internal static (double Auc, double[] V10, double[] V01) Placements(double[] cases, double[] controls)
    {
        int m = cases.Length, n = controls.Length;
        var pooled = new double[m + n];
        cases.CopyTo(pooled, 0);
        controls.CopyTo(pooled, m);
        var tz = Ranks.Midranks(pooled);
        var tx = Ranks.Midranks(cases);
        var ty = Ranks.Midranks(controls);
        var v10 = new double[m];
        var v01 = new double[n];
        var sum = 0.0;
        for (var i = 0; i < m; i++)
        {
            v10[i] = (tz[i] - tx[i]) / n;
            sum += v10[i];
        }

        for (var j = 0; j < n; j++)
        {
            v01[j] = 1 - (tz[m + j] - ty[j]) / m;
        }

        return (sum / m, v10, v01);
    }

    private static double SampleVariance(double[] v, double mean)
    {
        if (v.Length < 2)
        {
            return double.NaN;
        }

        var s = 0.0;
        foreach (var x in v)
        {
            s += (x - mean) * (x - mean);
        }

        return s / (v.Length - 1);
    }

    private static double SampleCovariance(double[] a, double meanA, double[] b, double meanB)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += (a[i] - meanA) * (b[i] - meanB);
        }

        return s / (a.Length - 1);
    }

}
