namespace Derby.Statistics.Tests;

/// <summary>AUC, DeLong interval, paired DeLong test and ROC curve against pROC 1.18.0 (Fixtures/roc.json).</summary>
public sealed class RocAnalysisTests
{
    public static TheoryData<string> Sets => Fixture.Names("roc", "sets");

    [Theory]
    [MemberData(nameof(Sets))]
    public void DeLong_MatchesPRoc(string name)
    {
        var r = Fixture.Entry("roc", name, "sets");
        var csv = Fixture.Csv(name);

        var result = RocAnalysis.DeLong(csv.Numbers("score1"), csv.Integers("label"));

        Close.Equal(r.D("auc"), result.Auc, what: "auc");
        Close.Equal(r.D("ci_lower"), result.Lower, what: "ci_lower");
        Close.Equal(r.D("ci_upper"), result.Upper, what: "ci_upper");
        Close.Equal(r.D("se"), result.StandardError, what: "se");
        Assert.Equal((int)r.D("n_cases"), result.Cases);
        Assert.Equal((int)r.D("n_controls"), result.Controls);
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void CompareDeLong_MatchesRocTest(string name)
    {
        var r = Fixture.Entry("roc", name, "sets");
        var csv = Fixture.Csv(name);

        var result = RocAnalysis.CompareDeLong(csv.Numbers("score1"), csv.Numbers("score2"), csv.Integers("label"));

        Close.Equal(r.D("auc"), result.Auc1, what: "auc1");
        Close.Equal(r.D("auc2"), result.Auc2, what: "auc2");
        Close.Equal(r.D("test_z"), result.Z, what: "z");
        Close.Equal(r.D("test_p"), result.P, what: "p");
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Curve_MatchesPRocThresholdsSensitivitiesSpecificities(string name)
    {
        var r = Fixture.Entry("roc", name, "sets");
        var csv = Fixture.Csv(name);

        var curve = RocAnalysis.Curve(csv.Numbers("score1"), csv.Integers("label"));

        // JSON has no infinities: R's -Inf and Inf end thresholds arrive as null.
        var thresholds = r.Ds("thresholds");
        Assert.True(double.IsNaN(thresholds[0]) && double.IsNaN(thresholds[^1]));
        Assert.Equal(double.NegativeInfinity, curve[0].Threshold);
        Assert.Equal(double.PositiveInfinity, curve[^1].Threshold);
        Close.All(thresholds[1..^1], curve.Skip(1).SkipLast(1).Select(p => p.Threshold).ToList(), what: "thresholds");
        Close.All(r.Ds("sensitivities"), curve.Select(p => p.Sensitivity).ToList(), what: "sensitivities");
        Close.All(r.Ds("specificities"), curve.Select(p => p.Specificity).ToList(), what: "specificities");
    }

    [Fact]
    public void Bootstrap_IsWithinMonteCarloErrorOfPRoc_AndReproducibleForASeed()
    {
        var r = Fixture.Json("roc").GetProperty("bootstrap");
        var csv = Fixture.Csv(r.S("name"));
        var scores = csv.Numbers("score1");
        var labels = csv.Integers("label");

        var a = RocAnalysis.Bootstrap(scores, labels, 2000, seed: 42);
        var b = RocAnalysis.Bootstrap(scores, labels, 2000, seed: 42);
        var c = RocAnalysis.Bootstrap(scores, labels, 2000, seed: 43);

        Assert.Equal(a, b);
        Assert.NotEqual(a.Lower, c.Lower);
        // The 2.5% and 97.5% quantiles of 2000 replicates have a Monte Carlo SD of about 0.002 here; 0.01 is about 4 SDs
        // of the difference of two independent runs.
        Close.Equal(r.D("ci_lower"), a.Lower, 0.01, "bootstrap lower vs pROC");
        Close.Equal(r.D("ci_upper"), a.Upper, 0.01, "bootstrap upper vs pROC");
        Assert.True(a.Lower < a.Auc && a.Auc < a.Upper);
    }

    [Fact]
    public void DirectionControlsHigher_MirrorsTheScores()
    {
        var csv = Fixture.Csv("roc_rounded");
        var scores = csv.Numbers("score1");
        var negated = scores.Select(s => -s).ToArray();

        var lt = RocAnalysis.DeLong(scores, csv.Integers("label"));
        var gt = RocAnalysis.DeLong(negated, csv.Integers("label"), RocDirection.ControlsHigher);

        Close.Equal(lt.Auc, gt.Auc);
        Close.Equal(lt.StandardError, gt.StandardError);
    }

    [Fact]
    public void DeLong_Throws_WhenOnlyOneClass()
    {
        var ex = Assert.Throws<StatisticsException>(() => RocAnalysis.DeLong([0.1, 0.2, 0.3], [1, 1, 1]));
        Assert.Contains("both classes", ex.Message);
    }
}
