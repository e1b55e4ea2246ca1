namespace Derby.Statistics.Tests;

/// <summary>
/// The paper's own numbers (Table 2 and the Results, DERBY+ in the external validation cohort) from its confusion matrix
/// TP 37, FN 9, TN 43, FP 13: published values are independent truth, so they are the only hard-coded expectations here.
/// </summary>
public sealed class PaperTable2Tests
{
    /// <summary>The paper cuts (truncates) the interval limits to two decimals.</summary>
    private static double Cut(double v) => Math.Floor(v * 100 + 1e-9) / 100;

    [Fact]
    public void ClopperPearsonIntervals_CutToTwoDecimals_MatchTable2()
    {
        var s = DiagnosticAccuracy.FromCounts(truePositives: 37, falsePositives: 13, trueNegatives: 43, falseNegatives: 9);

        Assert.Equal(0.80, Math.Round(s.Sensitivity!.Estimate, 2));
        Assert.Equal((0.66, 0.90), (Cut(s.Sensitivity.Lower), Cut(s.Sensitivity.Upper)));
        Assert.Equal(0.77, Math.Round(s.Specificity!.Estimate, 2));
        Assert.Equal((0.63, 0.87), (Cut(s.Specificity.Lower), Cut(s.Specificity.Upper)));
        Assert.Equal(0.74, Math.Round(s.PositivePredictiveValue!.Estimate, 2));
        Assert.Equal((0.59, 0.85), (Cut(s.PositivePredictiveValue.Lower), Cut(s.PositivePredictiveValue.Upper)));
        Assert.Equal(0.83, Math.Round(s.NegativePredictiveValue!.Estimate, 2));
        Assert.Equal((0.69, 0.91), (Cut(s.NegativePredictiveValue.Lower), Cut(s.NegativePredictiveValue.Upper)));
    }

    [Fact]
    public void OddsRatio_WithProfileLikelihoodInterval_MatchesResults()
    {
        var predicted = Enumerable.Repeat(1.0, 37).Concat(Enumerable.Repeat(0.0, 9)).Concat(Enumerable.Repeat(0.0, 43)).Concat(Enumerable.Repeat(1.0, 13)).ToArray();
        var response = Enumerable.Repeat(1.0, 46).Concat(Enumerable.Repeat(0.0, 56)).ToArray();

        var model = LogisticRegression.Fit([predicted], ["predicted"], response);
        var or = model.Coefficients[1];

        Assert.Equal(13.60, Math.Round(or.OddsRatio, 2));
        Assert.Equal(5.44, Math.Round(or.OddsRatioLower, 2));
        Assert.Equal(37.28, Math.Round(or.OddsRatioUpper, 2));
        Assert.True(or.P < 0.001);
    }
}
