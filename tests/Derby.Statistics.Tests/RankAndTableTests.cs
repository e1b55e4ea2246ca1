namespace Derby.Statistics.Tests;

/// <summary>wilcox.test, chisq.test and the two-sample z-test (Fixtures/tests.json).</summary>
public sealed class RankAndTableTests
{
    public static TheoryData<string> MannWhitneySets => Fixture.Names("tests", "mannwhitney");

    public static TheoryData<string> ChiSquareSets => Fixture.Names("tests", "chisq");

    [Theory]
    [MemberData(nameof(MannWhitneySets))]
    public void MannWhitney_MatchesWilcoxTest(string name)
    {
        var r = Fixture.Entry("tests", name, "mannwhitney");
        var csv = Fixture.Csv(name);
        var v = csv.Numbers("value");
        var g = csv.Integers("group");

        var test = MannWhitneyTest.Compute(v.Where((_, i) => g[i] == 0).ToArray(), v.Where((_, i) => g[i] == 1).ToArray());

        Close.Equal(r.D("w"), test.Statistic, what: "W");
        Close.Equal(r.D("p"), test.P, what: "p");
    }

    [Theory]
    [MemberData(nameof(ChiSquareSets))]
    public void ChiSquare_MatchesChisqTest(string name)
    {
        var r = Fixture.Entry("tests", name, "chisq");
        var csv = Fixture.Csv(name);

        var test = ChiSquareTest.Compute(csv["row"], csv["col"]);

        Close.Equal(r.D("chisq"), test.ChiSquare, what: "chisq");
        Assert.Equal((int)r.D("df"), test.DegreesOfFreedom);
        Close.Equal(r.D("p"), test.P, what: "p");
    }

    [Fact]
    public void ZTest_MatchesFormula()
    {
        var r = Fixture.Json("tests").GetProperty("ztest")[0];
        var csv = Fixture.Csv(r.S("name"));
        var v = csv.Numbers("value");
        var g = csv.Integers("group");

        var test = ZTest.TwoSample(v.Where((_, i) => g[i] == 1).ToArray(), v.Where((_, i) => g[i] == 0).ToArray());

        Close.Equal(r.D("z"), test.Statistic, what: "z");
        Close.Equal(r.D("p"), test.P, what: "p");
    }
}
