using System.Text.Json;
using Derby.Cli;

namespace Derby.Statistics.Tests;

/// <summary>
/// <c>derby stats ...</c> run in-process: the exact JSON field names of the contract, numbers that agree with the R fixtures, and
/// refusals (non-zero exit, reason on standard error, nothing on standard output).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class StatsCommandLineTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("derby-stats-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = await DerbyCommandLine.Build().Parse(args).InvokeAsync();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(["stats", .. args]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }

    private static void AssertFields(JsonElement e, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Roc_WritesTheContractFields_WithPRocsNumbers()
    {
        var r = Fixture.Entry("roc", "roc_rounded", "sets");

        var json = await RunJsonAsync("roc", "--input", Fixture.DataPath("roc_rounded"), "--score", "score1", "--label", "label");

        AssertFields(json, "auc", "ci_lower", "ci_upper", "se", "n_cases", "n_controls");
        Close.Equal(r.D("auc"), json.GetProperty("auc").GetDouble());
        Close.Equal(r.D("ci_lower"), json.GetProperty("ci_lower").GetDouble());
        Close.Equal(r.D("ci_upper"), json.GetProperty("ci_upper").GetDouble());
    }

    [Fact]
    public async Task RocBootstrap_IsReproducibleForASeed()
    {
        string[] args = ["roc", "--input", Fixture.DataPath("roc_rounded"), "--score", "score1", "--label", "label", "--ci", "bootstrap", "--boot-n", "500", "--seed", "9"];

        var a = await RunJsonAsync(args);
        var b = await RunJsonAsync(args);

        Assert.Equal(a.GetProperty("ci_lower").GetDouble(), b.GetProperty("ci_lower").GetDouble());
        Assert.NotEqual(a.GetProperty("ci_lower").GetDouble(), a.GetProperty("ci_upper").GetDouble());
    }

    [Fact]
    public async Task RocTest_WritesAucsZAndP()
    {
        var r = Fixture.Entry("roc", "roc_rounded", "sets");

        var json = await RunJsonAsync("roc-test", "--input", Fixture.DataPath("roc_rounded"), "--score1", "score1", "--score2", "score2", "--label", "label");

        AssertFields(json, "auc1", "auc2", "z", "p");
        Close.Equal(r.D("test_p"), json.GetProperty("p").GetDouble());
    }

    [Fact]
    public async Task Binom_And_Diagnostic_WriteNestedIntervals()
    {
        var binom = await RunJsonAsync("binom", "--successes", "37", "--trials", "46");
        AssertFields(binom, "estimate", "ci_lower", "ci_upper");
        var expected = Fixture.Json("binomial").EnumerateArray().Single(e => e.D("successes") == 37 && e.D("trials") == 46);
        Close.Equal(expected.D("cp_lower"), binom.GetProperty("ci_lower").GetDouble());
        var wilson = await RunJsonAsync("binom", "--successes", "37", "--trials", "46", "--method", "wilson");
        Close.Equal(expected.D("wilson_lower"), wilson.GetProperty("ci_lower").GetDouble());

        var diag = await RunJsonAsync("diagnostic", "--input", Fixture.DataPath("calib_continuous"), "--prob", "prob", "--label", "label", "--threshold", "0.4");

        AssertFields(diag, "tp", "fp", "tn", "fn", "sensitivity", "specificity", "ppv", "npv", "accuracy");
        foreach (var name in new[] { "sensitivity", "specificity", "ppv", "npv", "accuracy" })
        {
            AssertFields(diag.GetProperty(name), "estimate", "ci_lower", "ci_upper");
        }

        var csv = Fixture.Csv("calib_continuous");
        var p = csv.Numbers("prob");
        var y = csv.Integers("label");
        Assert.Equal(Enumerable.Range(0, p.Length).Count(i => p[i] >= 0.4 && y[i] == 1), diag.GetProperty("tp").GetInt32());
        Assert.Equal(Enumerable.Range(0, p.Length).Count(i => p[i] < 0.4 && y[i] == 0), diag.GetProperty("tn").GetInt32());
    }

    [Fact]
    public async Task Calibration_And_Dca_WriteTheContractFields()
    {
        var r = Fixture.Entry("calibration", "calib_continuous");

        var cal = await RunJsonAsync("calibration", "--input", Fixture.DataPath("calib_continuous"), "--prob", "prob", "--label", "label");
        var dca = await RunJsonAsync("dca", "--input", Fixture.DataPath("calib_continuous"), "--prob", "prob", "--label", "label");

        AssertFields(cal, "brier", "hosmer_lemeshow", "intercept", "slope", "bins");
        AssertFields(cal.GetProperty("hosmer_lemeshow"), "chisq", "df", "p");
        AssertFields(cal.GetProperty("bins")[0], "n", "mean_predicted", "observed");
        Close.Equal(r.D("hl_chisq"), cal.GetProperty("hosmer_lemeshow").GetProperty("chisq").GetDouble());
        AssertFields(dca, "points");
        Assert.Equal(99, dca.GetProperty("points").GetArrayLength());
        AssertFields(dca.GetProperty("points")[0], "threshold", "net_benefit", "net_benefit_all");
    }

    [Fact]
    public async Task Km_WritesGroupsCurvesAndNullsWhereRGivesNA()
    {
        var json = await RunJsonAsync("km", "--input", Fixture.DataPath("surv_complete"), "--time", "time", "--event", "event", "--group", "group");

        AssertFields(json, "groups");
        var g = json.GetProperty("groups")[0];
        AssertFields(g, "group", "n", "events", "median", "median_ci_lower", "median_ci_upper", "curve");
        AssertFields(g.GetProperty("curve")[0], "time", "n_risk", "n_event", "survival", "ci_lower", "ci_upper");
        Assert.Equal(JsonValueKind.Null, g.GetProperty("median_ci_upper").ValueKind);
        Assert.Equal(JsonValueKind.Null, g.GetProperty("curve")[5].GetProperty("ci_lower").ValueKind);

        var single = await RunJsonAsync("km", "--input", Fixture.DataPath("surv_complete"), "--time", "time", "--event", "event");
        Assert.Equal(JsonValueKind.Null, single.GetProperty("groups")[0].GetProperty("group").ValueKind);
    }

    [Fact]
    public async Task LogRank_And_Cox_WriteTheContractFields()
    {
        var r = Fixture.Entry("survival", "surv_ties");

        var lr = await RunJsonAsync("logrank", "--input", Fixture.DataPath("surv_ties"), "--time", "time", "--event", "event", "--group", "group");
        var cox = await RunJsonAsync("cox", "--input", Fixture.DataPath("surv_ties"), "--time", "time", "--event", "event", "--covariates", "x1,x2,x3");

        AssertFields(lr, "chisq", "df", "p");
        Close.Equal(r.GetProperty("logrank").D("chisq"), lr.GetProperty("chisq").GetDouble());
        AssertFields(cox, "n", "events", "coefficients", "loglik_null", "loglik", "concordance");
        AssertFields(cox.GetProperty("coefficients")[0], "name", "coef", "se", "hr", "hr_ci_lower", "hr_ci_upper", "z", "p", "may_be_infinite");
        Assert.All(cox.GetProperty("coefficients").EnumerateArray(), c => Assert.False(c.GetProperty("may_be_infinite").GetBoolean()));
        Assert.Equal("x2", cox.GetProperty("coefficients")[1].GetProperty("name").GetString());
        Close.Equal(r.GetProperty("cox").Ds("coef")[1], cox.GetProperty("coefficients")[1].GetProperty("coef").GetDouble());
    }

    [Fact]
    public async Task Cox_OnSeparatedEvents_FlagsTheCoefficientAndWarns_AsCoxph()
    {
        var r = Fixture.Entry("cox-monotone", "cox_mono_two");

        var (code, stdout, stderr) = await RunAsync("stats", "cox", "--input", Fixture.DataPath("cox_mono_two"), "--time", "time", "--event", "event", "--covariates", "g,x1");

        Assert.Equal(0, code);
        var flags = JsonDocument.Parse(stdout).RootElement.GetProperty("coefficients").EnumerateArray().Select(c => c.GetProperty("may_be_infinite").GetBoolean());
        Assert.Equal(r.GetProperty("infinite").EnumerateArray().Select(e => e.GetBoolean()), flags);
        Assert.StartsWith("warning: the log-likelihood converged before g: coefficient may be infinite", stderr);
    }

    [Fact]
    public async Task Logistic_NamesTheIntercept_AndMatchesConfint()
    {
        var r = Fixture.Entry("logistic", "logistic_table2");

        var json = await RunJsonAsync("logistic", "--input", Fixture.DataPath("logistic_table2"), "--outcome", "y", "--covariates", "predicted");

        AssertFields(json, "coefficients", "aic");
        var c = json.GetProperty("coefficients");
        AssertFields(c[0], "name", "coef", "se", "or", "or_ci_lower", "or_ci_upper", "p");
        Assert.Equal("(Intercept)", c[0].GetProperty("name").GetString());
        Close.Equal(r.Ds("or_ci_upper")[1], c[1].GetProperty("or_ci_upper").GetDouble());
    }

    [Fact]
    public async Task MannWhitney_And_ChiSquare_MatchR()
    {
        var mw = Fixture.Entry("tests", "mw_exact", "mannwhitney");
        var cs = Fixture.Entry("tests", "chisq_3x4", "chisq");

        var w = await RunJsonAsync("mannwhitney", "--input", Fixture.DataPath("mw_exact"), "--value", "value", "--group", "group");
        var c = await RunJsonAsync("chisq", "--input", Fixture.DataPath("chisq_3x4"), "--row", "row", "--col", "col");

        AssertFields(w, "w", "p");
        Close.Equal(mw.D("w"), w.GetProperty("w").GetDouble());
        Close.Equal(mw.D("p"), w.GetProperty("p").GetDouble());
        AssertFields(c, "chisq", "df", "p");
        Close.Equal(cs.D("chisq"), c.GetProperty("chisq").GetDouble());
    }

    [Fact]
    public async Task Lasso_AtLambda_MatchesGlmnet_AndCrossValidationFillsLambdas()
    {
        var at = Fixture.Json("lasso").GetProperty("at")[1];
        const string covs = "v1,v2,v3,v4,v5,v6,v7,v8";

        var json = await RunJsonAsync("lasso", "--input", Fixture.DataPath("lasso"), "--outcome", "y", "--covariates", covs, "--lambda", "0.05");
        var cv = await RunJsonAsync("lasso", "--input", Fixture.DataPath("lasso"), "--outcome", "y", "--covariates", covs, "--folds", "5", "--seed", "3");

        AssertFields(json, "intercept", "coefficients", "lambda_min", "lambda_1se", "selected");
        Assert.Equal(JsonValueKind.Null, json.GetProperty("lambda_min").ValueKind);
        Close.Equal(at.D("intercept"), json.GetProperty("intercept").GetDouble(), 1e-4);
        Close.Equal(at.Ds("coefficients")[0], json.GetProperty("coefficients").GetProperty("v1").GetDouble(), 1e-4);
        var selected = json.GetProperty("selected").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(at.Ds("coefficients").Select((v, i) => (v, i)).Where(t => t.v != 0).Select(t => $"v{t.i + 1}"), selected);
        Assert.True(cv.GetProperty("lambda_min").GetDouble() <= cv.GetProperty("lambda_1se").GetDouble());
    }

    [Fact]
    public async Task UnknownColumn_ExitsNonZero_NamingIt()
    {
        var (code, stdout, stderr) = await RunAsync("stats", "roc", "--input", Fixture.DataPath("roc_tiny"), "--score", "prob", "--label", "label");

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Contains("unknown column 'prob'", stderr);
    }

    [Fact]
    public async Task NonNumericValue_ExitsNonZero_WithTheLine()
    {
        var file = Write("bad.csv", "score,label\n0.2,0\nhigh,1\n0.7,1\n");

        var (code, stdout, stderr) = await RunAsync("stats", "roc", "--input", file, "--score", "score", "--label", "label");

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Contains("line 3", stderr);
        Assert.Contains("not a number: 'high'", stderr);
    }

    [Fact]
    public async Task LabelOtherThanZeroOrOne_ExitsNonZero()
    {
        var file = Write("labels.csv", "score,label\n0.2,0\n0.5,2\n0.7,1\n");

        var (code, _, stderr) = await RunAsync("stats", "roc", "--input", file, "--score", "score", "--label", "label");

        Assert.NotEqual(0, code);
        Assert.Contains("must be 0 or 1", stderr);
    }

    [Theory]
    [InlineData("roc", "--score", "score", "--label", "label")]
    [InlineData("calibration", "--prob", "score", "--label", "label")]
    [InlineData("logistic", "--outcome", "label", "--covariates", "score")]
    public async Task SingleClass_ExitsNonZero_SayingSo(params string[] args)
    {
        var file = Write("single.csv", "score,label\n0.2,1\n0.5,1\n0.7,1\n");

        var (code, stdout, stderr) = await RunAsync(["stats", args[0], "--input", file, .. args[1..]]);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Matches("both (classes|outcomes)", stderr);
    }

    [Fact]
    public async Task CoxWithoutEvents_ExitsNonZero_SayingSo()
    {
        var file = Write("noevents.csv", "time,event,x\n1,0,0.5\n2,0,1.5\n3,0,2.5\n");

        var (code, stdout, stderr) = await RunAsync("stats", "cox", "--input", file, "--time", "time", "--event", "event", "--covariates", "x");

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout);
        Assert.Contains("at least one event", stderr);
    }

    [Fact]
    public async Task LassoWithoutLambdaOrFolds_ExitsNonZero()
    {
        var (code, _, stderr) = await RunAsync("stats", "lasso", "--input", Fixture.DataPath("lasso"), "--outcome", "y", "--covariates", "v1,v2");

        Assert.NotEqual(0, code);
        Assert.Contains("--lambda", stderr);
    }
}

/// <summary>Tests that swap Console.Out and Console.Error must not run alongside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
