namespace Derby.Statistics.Tests;

/// <summary>
/// Brier, Hosmer-Lemeshow (ResourceSelection::hoslem.test, reproduced in the R script), bins, glm intercept/slope and decision
/// curves (Fixtures/calibration.json).
/// </summary>
public sealed class CalibrationTests
{
    public static TheoryData<string> Sets => Fixture.Names("calibration");

    [Theory]
    [MemberData(nameof(Sets))]
    public void Summarize_MatchesR(string name)
    {
        var r = Fixture.Entry("calibration", name);
        var csv = Fixture.Csv(name);

        var s = Calibration.Summarize(csv.Numbers("prob"), csv.Numbers("label"), (int)r.D("groups"));

        Close.Equal(r.D("brier"), s.Brier, what: "brier");
        Close.Equal(r.D("hl_chisq"), s.HosmerLemeshow.ChiSquare, what: "HL chisq");
        Assert.Equal((int)r.D("hl_df"), s.HosmerLemeshow.DegreesOfFreedom);
        Close.Equal(r.D("hl_p"), s.HosmerLemeshow.P, what: "HL p");
        Close.Equal(r.D("intercept"), s.Intercept, what: "intercept");
        Close.Equal(r.D("slope"), s.Slope, what: "slope");
        var bins = r.GetProperty("bins").EnumerateArray().ToList();
        Assert.Equal(bins.Count, s.Bins.Count);
        for (var i = 0; i < bins.Count; i++)
        {
            Assert.Equal((int)bins[i].D("n"), s.Bins[i].Count);
            Close.Equal(bins[i].D("mean_predicted"), s.Bins[i].MeanPredicted, what: $"bin {i} mean");
            Close.Equal(bins[i].D("observed"), s.Bins[i].Observed, what: $"bin {i} observed");
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void DecisionCurve_MatchesNetBenefitDefinition(string name)
    {
        var r = Fixture.Entry("calibration", name);
        var csv = Fixture.Csv(name);

        var points = DecisionCurve.Compute(csv.Numbers("prob"), csv.Integers("label"));

        var expected = r.GetProperty("dca").EnumerateArray().ToList();
        Assert.Equal(expected.Count, points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            Close.Equal(expected[i].D("threshold"), points[i].Threshold, 1e-12, "threshold");
            Close.Equal(expected[i].D("net_benefit"), points[i].NetBenefit, what: $"net benefit at {points[i].Threshold}");
            Close.Equal(expected[i].D("net_benefit_all"), points[i].NetBenefitTreatAll, what: $"treat-all at {points[i].Threshold}");
        }
    }

    [Fact]
    public void Summarize_Throws_WhenOnlyOneOutcome()
    {
        var ex = Assert.Throws<StatisticsException>(() => Calibration.Summarize([0.2, 0.4, 0.6], [1, 1, 1]));
        Assert.Contains("both outcomes", ex.Message);
    }
}
