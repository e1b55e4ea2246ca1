namespace Derby.Statistics.Tests;

/// <summary>survfit, survdiff, coxph and cox.zph of survival 3.5 (Fixtures/survival.json).</summary>
public sealed class SurvivalTests
{
    public static TheoryData<string> Sets => Fixture.Names("survival");

    private static readonly string[] CoxNames = ["x1", "x2", "x3"];

    [Theory]
    [MemberData(nameof(Sets))]
    public void KaplanMeier_MatchesSurvfit(string name)
    {
        var r = Fixture.Entry("survival", name);
        var csv = Fixture.Csv(name);

        var curves = KaplanMeier.FitGroups(csv.Numbers("time"), csv.Integers("event"), csv["group"]);

        var expected = r.GetProperty("km").EnumerateArray().ToList();
        Assert.Equal(expected.Count, curves.Count);
        for (var g = 0; g < curves.Count; g++)
        {
            var e = expected[g];
            var c = curves[g];
            Assert.Equal(e.S("group"), c.Group);
            Assert.Equal((int)e.D("n"), c.Count);
            Assert.Equal((int)e.D("events"), c.Events);
            Close.Equal(e.N("median"), c.Median, what: $"group {c.Group} median");
            Close.Equal(e.N("median_ci_lower"), c.MedianLower, what: $"group {c.Group} median lower");
            Close.Equal(e.N("median_ci_upper"), c.MedianUpper, what: $"group {c.Group} median upper");
            var curve = e.GetProperty("curve");
            Close.All(curve.Ds("time"), c.Points.Select(p => p.Time).ToList(), what: "time");
            Close.All(curve.Ds("n_risk"), c.Points.Select(p => (double)p.AtRisk).ToList(), what: "n_risk");
            Close.All(curve.Ds("n_event"), c.Points.Select(p => (double)p.Events).ToList(), what: "n_event");
            Close.All(curve.Ds("survival"), c.Points.Select(p => p.Survival).ToList(), what: "survival");
            Close.All(curve.Ds("ci_lower"), c.Points.Select(p => p.Lower ?? double.NaN).ToList(), what: "lower");
            Close.All(curve.Ds("ci_upper"), c.Points.Select(p => p.Upper ?? double.NaN).ToList(), what: "upper");
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void NumberAtRisk_MatchesSummarySurvfitAtTimes(string name)
    {
        var r = Fixture.Entry("survival", name);
        var csv = Fixture.Csv(name);
        var times = csv.Numbers("time");
        var groups = csv["group"];

        foreach (var g in r.GetProperty("km").EnumerateArray())
        {
            var mine = times.Where((_, i) => groups[i] == g.S("group")).ToArray();

            var atRisk = KaplanMeier.NumberAtRisk(mine, g.Ds("risk_times"));

            Assert.Equal(g.Ds("n_risk_at").Select(v => (int)v), atRisk);
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void LogRank_MatchesSurvdiff(string name)
    {
        var r = Fixture.Entry("survival", name).GetProperty("logrank");
        var csv = Fixture.Csv(name);

        var test = LogRankTest.Compute(csv.Numbers("time"), csv.Integers("event"), csv["group"]);

        Close.Equal(r.D("chisq"), test.ChiSquare, what: "chisq");
        Assert.Equal((int)r.D("df"), test.DegreesOfFreedom);
        Close.Equal(r.D("p"), test.P, what: "p");
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Cox_MatchesCoxph(string name)
    {
        var r = Fixture.Entry("survival", name).GetProperty("cox");
        var csv = Fixture.Csv(name);

        var model = CoxRegression.Fit(csv.Numbers("time"), csv.Integers("event"), CoxNames.Select(csv.Numbers).ToList(), CoxNames);

        Assert.Equal((int)r.D("n"), model.Count);
        Assert.Equal((int)r.D("events"), model.Events);
        Close.All(r.Ds("coef"), model.Coefficients.Select(c => c.Coefficient).ToList(), what: "coef");
        Close.All(r.Ds("se"), model.Coefficients.Select(c => c.StandardError).ToList(), what: "se");
        Close.All(r.Ds("hr_ci_lower"), model.Coefficients.Select(c => c.HazardRatioLower).ToList(), what: "HR lower");
        Close.All(r.Ds("hr_ci_upper"), model.Coefficients.Select(c => c.HazardRatioUpper).ToList(), what: "HR upper");
        Close.All(r.Ds("z"), model.Coefficients.Select(c => c.Z).ToList(), what: "z");
        Close.All(r.Ds("p"), model.Coefficients.Select(c => c.P).ToList(), what: "p");
        Close.Equal(r.D("loglik_null"), model.LogLikelihoodNull, what: "loglik null");
        Close.Equal(r.D("loglik"), model.LogLikelihood, what: "loglik");
        Close.Equal(r.D("concordance"), model.Concordance, what: "concordance");
        Assert.All(model.Coefficients, c => Assert.False(c.MayBeInfinite, $"{c.Name} flagged as possibly infinite"));
    }

    public static TheoryData<string> MonotoneSets => Fixture.Names("cox-monotone");

    [Theory]
    [MemberData(nameof(MonotoneSets))]
    public void Cox_FlagsTheCoefficientsCoxphWarnsMayBeInfinite(string name)
    {
        var r = Fixture.Entry("cox-monotone", name);
        var csv = Fixture.Csv(name);
        var names = Strings(r.GetProperty("covariates"));
        var warnings = Strings(r.GetProperty("warnings"));
        CoxModel Fit() => CoxRegression.Fit(csv.Numbers("time"), csv.Integers("event"), names.Select(csv.Numbers).ToList(), names);

        if (warnings.Any(w => w.StartsWith("Ran out of iterations", StringComparison.Ordinal)))
        {
            var ex = Assert.Throws<StatisticsException>(Fit);
            Assert.Contains("did not converge", ex.Message);
            Assert.Contains("may be infinite", ex.Message);
            return;
        }

        var model = Fit();

        var expected = r.GetProperty("infinite").EnumerateArray().Select(e => e.GetBoolean()).ToList();
        Assert.Equal(expected, model.Coefficients.Select(c => c.MayBeInfinite).ToList());
        Assert.Equal((int)r.D("iter"), model.Iterations);
        Close.All(r.Ds("coef"), model.Coefficients.Select(c => c.Coefficient).ToList(), what: "coef");
        Close.Equal(r.D("loglik_null"), model.LogLikelihoodNull, what: "loglik null");
        Close.Equal(r.D("loglik"), model.LogLikelihood, what: "loglik");
    }

    private static string[] Strings(System.Text.Json.JsonElement e) => e.ValueKind == System.Text.Json.JsonValueKind.Array
        ? e.EnumerateArray().Select(x => x.GetString()!).ToArray()
        : [e.GetString()!];

    [Theory]
    [MemberData(nameof(Sets))]
    public void ProportionalHazardsTest_MatchesCoxZph(string name)
    {
        var r = Fixture.Entry("survival", name).GetProperty("zph");
        var csv = Fixture.Csv(name);

        var test = CoxRegression.TestProportionalHazards(csv.Numbers("time"), csv.Integers("event"), CoxNames.Select(csv.Numbers).ToList(), CoxNames);

        var chisq = test.Terms.Select(t => t.Test.ChiSquare).Append(test.Global.ChiSquare).ToList();
        var p = test.Terms.Select(t => t.Test.P).Append(test.Global.P).ToList();
        Close.All(r.Ds("chisq"), chisq, what: "chisq");
        Close.All(r.Ds("df"), test.Terms.Select(t => (double)t.Test.DegreesOfFreedom).Append(test.Global.DegreesOfFreedom).ToList(), what: "df");
        Close.All(r.Ds("p"), p, what: "p");
    }

    [Fact]
    public void Cox_Throws_WhenThereAreNoEvents()
    {
        var ex = Assert.Throws<StatisticsException>(() => CoxRegression.Fit([1, 2, 3], [0, 0, 0], [[1.0, 2, 3]], ["x"]));
        Assert.Contains("event", ex.Message);
    }
}
