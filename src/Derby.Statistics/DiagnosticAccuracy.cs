namespace Derby.Statistics;

/// <summary>Sensitivity, specificity, PPV, NPV and accuracy of a probability cut at a threshold.</summary>
public static class DiagnosticAccuracy
{
    /// <summary>
    /// Calls an observation positive when its probability is &gt;= <paramref name="threshold"/> and summarises the confusion
    /// matrix: sensitivity TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP), NPV TN/(TN+FN), accuracy (TP+TN)/n, each with
    /// a binomial interval. A proportion with an empty denominator is null.
    /// </summary>
    public static DiagnosticSummary AtThreshold(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, double threshold = 0.5,
        BinomialCiMethod method = BinomialCiMethod.ClopperPearson)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new StatisticsException($"Probabilities and labels differ in length ({probabilities.Length} and {labels.Length}).");
        }

        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var positive = probabilities[i] >= threshold;
            switch (labels[i])
            {
                case 1 when positive: tp++; break;
                case 1: fn++; break;
                case 0 when positive: fp++; break;
                case 0: tn++; break;
                default: throw new StatisticsException($"Label {i + 1} is {labels[i]}; labels must be 0 or 1.");
            }
        }

        return FromCounts(tp, fp, tn, fn, method);
    }

    /// <summary>The same summary from the four counts of a confusion matrix.</summary>
    public static DiagnosticSummary FromCounts(int truePositives, int falsePositives, int trueNegatives, int falseNegatives,
        BinomialCiMethod method = BinomialCiMethod.ClopperPearson)
    {
        int tp = truePositives, fp = falsePositives, tn = trueNegatives, fn = falseNegatives;
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0 || tp + fp + tn + fn == 0)
        {
            throw new StatisticsException("A confusion matrix needs non-negative counts and at least one observation.");
        }

        ProportionEstimate? Of(int k, int n) => n == 0 ? null : BinomialConfidenceInterval.Compute(k, n, method);
        return new DiagnosticSummary(tp, fp, tn, fn, Of(tp, tp + fn), Of(tn, tn + fp), Of(tp, tp + fp), Of(tn, tn + fn),
            BinomialConfidenceInterval.Compute(tp + tn, tp + fp + tn + fn, method));
    }
}
