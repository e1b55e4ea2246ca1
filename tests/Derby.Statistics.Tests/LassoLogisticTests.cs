namespace Derby.Statistics.Tests;

/// <summary>glmnet 4.1 binomial LASSO: lambda path, coef(fit, s) and cv.glmnet with the R script's folds (Fixtures/lasso.json), to 1e-4.</summary>
public sealed class LassoLogisticTests
{
    private const double Tolerance = 1e-4;

    private static readonly string[] Names = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"];

    [Fact]
    public void Path_HasGlmnetsLambdasAndDevianceRatios()
    {
        var r = Fixture.Json("lasso");
        var csv = Fixture.Csv("lasso");

        var path = LassoLogistic.Path(Names.Select(csv.Numbers).ToList(), Names, csv.Numbers("y"));

        Close.All(r.Ds("lambda"), path.Fits.Select(f => f.Lambda).ToList(), 1e-10, "lambda");
        Close.All(r.Ds("dev_ratio"), path.DevianceRatios, Tolerance, "dev.ratio");
        Close.All(r.Ds("a0"), path.Fits.Select(f => f.Intercept).ToList(), Tolerance, "a0");
    }

    [Fact]
    public void At_MatchesCoefAtS()
    {
        var r = Fixture.Json("lasso");
        var csv = Fixture.Csv("lasso");
        var x = Names.Select(csv.Numbers).ToList();

        foreach (var at in r.GetProperty("at").EnumerateArray())
        {
            var fit = LassoLogistic.At(x, Names, csv.Numbers("y"), at.D("lambda"));

            Close.Equal(at.D("intercept"), fit.Intercept, Tolerance, $"intercept at {at.D("lambda")}");
            Close.All(at.Ds("coefficients"), fit.Coefficients, Tolerance, $"coefficients at {at.D("lambda")}");
        }
    }

    [Fact]
    public void CrossValidate_WithRsFolds_MatchesCvGlmnet()
    {
        var r = Fixture.Json("lasso").GetProperty("cv");
        var csv = Fixture.Csv("lasso");

        var cv = LassoLogistic.CrossValidate(Names.Select(csv.Numbers).ToList(), Names, csv.Numbers("y"), csv.Integers("fold"));

        Close.All(r.Ds("cvm"), cv.MeanDeviance, Tolerance, "cvm");
        Close.All(r.Ds("cvsd"), cv.StandardError, Tolerance, "cvsd");
        Close.Equal(r.D("lambda_min"), cv.LambdaMin, 1e-10, "lambda.min");
        Close.Equal(r.D("lambda_1se"), cv.Lambda1se, 1e-10, "lambda.1se");
    }

    [Fact]
    public void At_OnSeparatedData_MatchesGlmnet()
    {
        var r = Fixture.Json("lasso").GetProperty("separated");
        var csv = Fixture.Csv("lasso_separated");
        string[] names = ["a", "b", "c"];
        var x = names.Select(csv.Numbers).ToList();

        var path = LassoLogistic.Path(x, names, csv.Numbers("y"));

        Close.All(r.Ds("lambda"), path.Fits.Select(f => f.Lambda).ToList(), 1e-10, "lambda");
        foreach (var at in r.GetProperty("at").EnumerateArray())
        {
            var fit = LassoLogistic.Interpolate(path, at.D("lambda"));
            Close.Equal(at.D("intercept"), fit.Intercept, Tolerance, "intercept");
            Close.All(at.Ds("coefficients"), fit.Coefficients, Tolerance, "coefficients");
        }
    }

    [Fact]
    public void RandomFolds_AreBalancedAndReproducible()
    {
        var a = LassoLogistic.RandomFolds(23, 5, 1);

        Assert.Equal(a, LassoLogistic.RandomFolds(23, 5, 1));
        Assert.NotEqual(a, LassoLogistic.RandomFolds(23, 5, 2));
        Assert.All(a.GroupBy(f => f), g => Assert.InRange(g.Count(), 4, 5));
    }
}
