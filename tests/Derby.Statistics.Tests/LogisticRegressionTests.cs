namespace Derby.Statistics.Tests;

/// <summary>glm(binomial), summary and confint (MASS profile likelihood) of R 4.2.2 (Fixtures/logistic.json).</summary>
public sealed class LogisticRegressionTests
{
    public static TheoryData<string> Sets => Fixture.Names("logistic");

    [Theory]
    [MemberData(nameof(Sets))]
    public void Fit_MatchesGlmAndConfint(string name)
    {
        var r = Fixture.Entry("logistic", name);
        var csv = Fixture.Csv(name);
        var covs = r.GetProperty("covariates").EnumerateArray().Select(e => e.GetString()!).ToArray();

        var model = LogisticRegression.Fit(covs.Select(csv.Numbers).ToList(), covs, csv.Numbers("y"));

        Assert.Equal(r.GetProperty("names").EnumerateArray().Select(e => e.GetString()), model.Coefficients.Select(c => c.Name));
        Close.All(r.Ds("coef"), model.Coefficients.Select(c => c.Coefficient).ToList(), what: "coef");
        Close.All(r.Ds("se"), model.Coefficients.Select(c => c.StandardError).ToList(), what: "se");
        Close.All(r.Ds("or_ci_lower"), model.Coefficients.Select(c => c.OddsRatioLower).ToList(), what: "OR lower");
        Close.All(r.Ds("or_ci_upper"), model.Coefficients.Select(c => c.OddsRatioUpper).ToList(), what: "OR upper");
        Close.All(r.Ds("p"), model.Coefficients.Select(c => c.P).ToList(), what: "p");
        Close.Equal(r.D("aic"), model.Aic, what: "aic");
    }

    [Fact]
    public void Fit_Throws_WhenTheOutcomeIsPerfectlySeparated()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        double[] y = [0, 0, 0, 0, 1, 1, 1, 1];

        var ex = Assert.Throws<StatisticsException>(() => LogisticRegression.Fit([x], ["x"], y));
        Assert.Contains("separated", ex.Message);
    }

    [Fact]
    public void Spline_MatchesRSplineAndApprox()
    {
        var r = Fixture.Json("spline");

        var (sx, sy) = FmmSpline.Spline(r.Ds("x"), r.Ds("y"));

        Close.All(r.Ds("out_x"), sx, 1e-12, "spline x");
        Close.All(r.Ds("out_y"), sy, 1e-12, "spline y");
        var at = r.Ds("approx_at");
        Close.All(r.Ds("approx"), at.Select(a => FmmSpline.Approx(sy, sx, a)).ToList(), 1e-12, "approx");
    }
}
