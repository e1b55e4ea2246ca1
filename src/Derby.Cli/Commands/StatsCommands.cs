using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Derby.Statistics;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby stats ...</c>: the statistics of the paper's evaluation over a CSV file (header row; label and event columns 0/1,
/// 1 = responder / event). Results are JSON on standard output with fixed field names; unusable input exits 2 with the reason
/// on standard error. Numbers R reports as NA are null.
/// </summary>
internal static class StatsCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Build()
    {
        var stats = new Command("stats", "Statistics of a model's evaluation (matching R's reference packages)");
        stats.Subcommands.Add(Roc());
        stats.Subcommands.Add(RocTest());
        stats.Subcommands.Add(Binom());
        stats.Subcommands.Add(Diagnostic());
        stats.Subcommands.Add(CalibrationCommand());
        stats.Subcommands.Add(Dca());
        stats.Subcommands.Add(Km());
        stats.Subcommands.Add(LogRank());
        stats.Subcommands.Add(Cox());
        stats.Subcommands.Add(Logistic());
        stats.Subcommands.Add(MannWhitney());
        stats.Subcommands.Add(ChiSquare());
        stats.Subcommands.Add(Lasso());
        return stats;
    }

    private static Option<FileInfo> InputOption() => new("--input") { Description = "CSV file with a header row", Required = true };

    private static Option<string> ColumnOption(string name, string description) => new(name) { Description = description, Required = true };

    private static Option<string> BinomialMethodOption()
    {
        var method = new Option<string>("--method") { Description = "clopper-pearson (default) or wilson", DefaultValueFactory = _ => "clopper-pearson" };
        method.AcceptOnlyFromAmong("clopper-pearson", "wilson");
        return method;
    }

    private static BinomialCiMethod ParseMethod(string? method) => method == "wilson" ? BinomialCiMethod.Wilson : BinomialCiMethod.ClopperPearson;

    private static Command Roc()
    {
        var input = InputOption();
        var score = ColumnOption("--score", "Score column");
        var label = ColumnOption("--label", "Label column (0/1)");
        var ci = new Option<string>("--ci") { Description = "delong (default) or bootstrap", DefaultValueFactory = _ => "delong" };
        ci.AcceptOnlyFromAmong("delong", "bootstrap");
        var bootN = new Option<int>("--boot-n") { Description = "Bootstrap replicates", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Bootstrap random seed", DefaultValueFactory = _ => 1 };
        var direction = DirectionOption();
        var command = new Command("roc", "AUC with a DeLong or stratified bootstrap 95% CI") { input, score, label, ci, bootN, seed, direction };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var s = table.Numbers(parse.GetValue(score)!);
            var l = table.Binary(parse.GetValue(label)!);
            var dir = ParseDirection(parse.GetValue(direction));
            var r = parse.GetValue(ci) == "bootstrap"
                ? RocAnalysis.Bootstrap(s, l, parse.GetValue(bootN), parse.GetValue(seed), dir)
                : RocAnalysis.DeLong(s, l, dir);
            return new JsonObject
            {
                ["auc"] = Num(r.Auc), ["ci_lower"] = Num(r.Lower), ["ci_upper"] = Num(r.Upper), ["se"] = Num(r.StandardError),
                ["n_cases"] = r.Cases, ["n_controls"] = r.Controls,
            };
        }));
        return command;
    }

    private static Option<string> DirectionOption()
    {
        var direction = new Option<string>("--direction")
        {
            Description = "lt (default): higher scores go with label 1, pROC direction \"<\"; gt: the opposite",
            DefaultValueFactory = _ => "lt",
        };
        direction.AcceptOnlyFromAmong("lt", "gt");
        return direction;
    }

    private static RocDirection ParseDirection(string? d) => d == "gt" ? RocDirection.ControlsHigher : RocDirection.ControlsLower;

    private static Command RocTest()
    {
        var input = InputOption();
        var score1 = ColumnOption("--score1", "First score column");
        var score2 = ColumnOption("--score2", "Second score column");
        var label = ColumnOption("--label", "Label column (0/1)");
        var direction = DirectionOption();
        var command = new Command("roc-test", "DeLong's paired test of two correlated AUCs") { input, score1, score2, label, direction };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var r = RocAnalysis.CompareDeLong(table.Numbers(parse.GetValue(score1)!), table.Numbers(parse.GetValue(score2)!),
                table.Binary(parse.GetValue(label)!), ParseDirection(parse.GetValue(direction)));
            return new JsonObject { ["auc1"] = Num(r.Auc1), ["auc2"] = Num(r.Auc2), ["z"] = Num(r.Z), ["p"] = Num(r.P) };
        }));
        return command;
    }

    private static Command Binom()
    {
        var successes = new Option<int>("--successes") { Description = "Successes", Required = true };
        var trials = new Option<int>("--trials") { Description = "Trials", Required = true };
        var method = BinomialMethodOption();
        var command = new Command("binom", "A proportion with its 95% CI") { successes, trials, method };
        command.SetAction(parse => Run(() =>
            Proportion(BinomialConfidenceInterval.Compute(parse.GetValue(successes), parse.GetValue(trials), ParseMethod(parse.GetValue(method))))!));
        return command;
    }

    private static Command Diagnostic()
    {
        var input = InputOption();
        var prob = ColumnOption("--prob", "Predicted probability column");
        var label = ColumnOption("--label", "Label column (0/1)");
        var threshold = new Option<double>("--threshold") { Description = "Positive when prob >= threshold", DefaultValueFactory = _ => 0.5 };
        var method = BinomialMethodOption();
        var command = new Command("diagnostic", "Sensitivity, specificity, PPV, NPV and accuracy at a threshold") { input, prob, label, threshold, method };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var s = DiagnosticAccuracy.AtThreshold(table.Numbers(parse.GetValue(prob)!), table.Binary(parse.GetValue(label)!),
                parse.GetValue(threshold), ParseMethod(parse.GetValue(method)));
            return new JsonObject
            {
                ["tp"] = s.TruePositives, ["fp"] = s.FalsePositives, ["tn"] = s.TrueNegatives, ["fn"] = s.FalseNegatives,
                ["sensitivity"] = Proportion(s.Sensitivity), ["specificity"] = Proportion(s.Specificity),
                ["ppv"] = Proportion(s.PositivePredictiveValue), ["npv"] = Proportion(s.NegativePredictiveValue),
                ["accuracy"] = Proportion(s.Accuracy),
            };
        }));
        return command;
    }

    private static Command CalibrationCommand()
    {
        var input = InputOption();
        var prob = ColumnOption("--prob", "Predicted probability column");
        var label = ColumnOption("--label", "Label column (0/1)");
        var groups = new Option<int>("--groups") { Description = "Risk groups (Hosmer-Lemeshow g)", DefaultValueFactory = _ => 10 };
        var command = new Command("calibration", "Brier score, Hosmer-Lemeshow test, calibration intercept/slope and curve") { input, prob, label, groups };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var labels = table.Binary(parse.GetValue(label)!).Select(v => (double)v).ToArray();
            var c = Calibration.Summarize(table.Numbers(parse.GetValue(prob)!), labels, parse.GetValue(groups));
            var bins = new JsonArray();
            foreach (var b in c.Bins)
            {
                bins.Add(new JsonObject { ["n"] = b.Count, ["mean_predicted"] = Num(b.MeanPredicted), ["observed"] = Num(b.Observed) });
            }

            return new JsonObject
            {
                ["brier"] = Num(c.Brier),
                ["hosmer_lemeshow"] = new JsonObject
                {
                    ["chisq"] = Num(c.HosmerLemeshow.ChiSquare), ["df"] = c.HosmerLemeshow.DegreesOfFreedom, ["p"] = Num(c.HosmerLemeshow.P),
                },
                ["intercept"] = Num(c.Intercept), ["slope"] = Num(c.Slope), ["bins"] = bins,
            };
        }));
        return command;
    }

    private static Command Dca()
    {
        var input = InputOption();
        var prob = ColumnOption("--prob", "Predicted probability column");
        var label = ColumnOption("--label", "Label column (0/1)");
        var from = new Option<double>("--from") { Description = "First threshold", DefaultValueFactory = _ => 0.01 };
        var to = new Option<double>("--to") { Description = "Last threshold", DefaultValueFactory = _ => 0.99 };
        var by = new Option<double>("--by") { Description = "Threshold step", DefaultValueFactory = _ => 0.01 };
        var command = new Command("dca", "Decision curve: net benefit of the model and of treating all") { input, prob, label, from, to, by };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var points = DecisionCurve.Compute(table.Numbers(parse.GetValue(prob)!), table.Binary(parse.GetValue(label)!),
                parse.GetValue(from), parse.GetValue(to), parse.GetValue(by));
            var array = new JsonArray();
            foreach (var p in points)
            {
                array.Add(new JsonObject { ["threshold"] = Num(p.Threshold), ["net_benefit"] = Num(p.NetBenefit), ["net_benefit_all"] = Num(p.NetBenefitTreatAll) });
            }

            return new JsonObject { ["points"] = array };
        }));
        return command;
    }

    private static Command Km()
    {
        var input = InputOption();
        var time = ColumnOption("--time", "Follow-up time column");
        var evt = ColumnOption("--event", "Event column (1 = event, 0 = censored)");
        var group = new Option<string>("--group") { Description = "Group column (one curve per value)" };
        var command = new Command("km", "Kaplan-Meier curves with log-transformed Greenwood CIs and median survival") { input, time, evt, group };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var t = table.Numbers(parse.GetValue(time)!);
            var e = table.Binary(parse.GetValue(evt)!);
            var g = parse.GetValue(group);
            var curves = g is null ? [KaplanMeier.Fit(t, e)] : KaplanMeier.FitGroups(t, e, table.Text(g));
            var array = new JsonArray();
            foreach (var c in curves)
            {
                var points = new JsonArray();
                foreach (var p in c.Points)
                {
                    points.Add(new JsonObject
                    {
                        ["time"] = Num(p.Time), ["n_risk"] = p.AtRisk, ["n_event"] = p.Events, ["survival"] = Num(p.Survival),
                        ["ci_lower"] = Num(p.Lower), ["ci_upper"] = Num(p.Upper),
                    });
                }

                array.Add(new JsonObject
                {
                    ["group"] = c.Group, ["n"] = c.Count, ["events"] = c.Events, ["median"] = Num(c.Median),
                    ["median_ci_lower"] = Num(c.MedianLower), ["median_ci_upper"] = Num(c.MedianUpper), ["curve"] = points,
                });
            }

            return new JsonObject { ["groups"] = array };
        }));
        return command;
    }

    private static Command LogRank()
    {
        var input = InputOption();
        var time = ColumnOption("--time", "Follow-up time column");
        var evt = ColumnOption("--event", "Event column (1 = event, 0 = censored)");
        var group = ColumnOption("--group", "Group column");
        var command = new Command("logrank", "Log-rank test of equal survival across groups") { input, time, evt, group };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var r = LogRankTest.Compute(table.Numbers(parse.GetValue(time)!), table.Binary(parse.GetValue(evt)!), table.Text(parse.GetValue(group)!));
            return ChiSquare(r);
        }));
        return command;
    }

    private static Option<string> CovariatesOption() => new("--covariates") { Description = "Comma-separated covariate columns", Required = true };

    private static string[] SplitCovariates(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } names
            ? names
            : throw new StatsInputException("--covariates names no column");

    private static Command Cox()
    {
        var input = InputOption();
        var time = ColumnOption("--time", "Follow-up time column");
        var evt = ColumnOption("--event", "Event column (1 = event, 0 = censored)");
        var covariates = CovariatesOption();
        var command = new Command("cox", "Cox proportional hazards model (Efron ties) with hazard ratios") { input, time, evt, covariates };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var names = SplitCovariates(parse.GetValue(covariates)!);
            var m = CoxRegression.Fit(table.Numbers(parse.GetValue(time)!), table.Binary(parse.GetValue(evt)!), names.Select(table.Numbers).ToList(), names);
            var coefficients = new JsonArray();
            foreach (var c in m.Coefficients)
            {
                coefficients.Add(new JsonObject
                {
                    ["name"] = c.Name, ["coef"] = Num(c.Coefficient), ["se"] = Num(c.StandardError), ["hr"] = Num(c.HazardRatio),
                    ["hr_ci_lower"] = Num(c.HazardRatioLower), ["hr_ci_upper"] = Num(c.HazardRatioUpper), ["z"] = Num(c.Z), ["p"] = Num(c.P),
                    ["may_be_infinite"] = c.MayBeInfinite,
                });
            }

            if (m.Coefficients.Where(c => c.MayBeInfinite).Select(c => c.Name).ToList() is { Count: > 0 } infinite)
            {
                // As coxph's warning; the fit is still written (exit 0), its flagged hazard ratios mean nothing.
                Console.Error.WriteLine(
                    $"warning: the log-likelihood converged before {string.Join(", ", infinite)}: coefficient may be infinite (the events separate along it); its hazard ratio, interval and p are not estimates");
            }

            return new JsonObject
            {
                ["n"] = m.Count, ["events"] = m.Events, ["coefficients"] = coefficients, ["loglik_null"] = Num(m.LogLikelihoodNull),
                ["loglik"] = Num(m.LogLikelihood), ["concordance"] = Num(m.Concordance),
            };
        }));
        return command;
    }

    private static Command Logistic()
    {
        var input = InputOption();
        var outcome = ColumnOption("--outcome", "Outcome column (0/1)");
        var covariates = CovariatesOption();
        var command = new Command("logistic", "Logistic regression: odds ratios with profile-likelihood CIs") { input, outcome, covariates };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var names = SplitCovariates(parse.GetValue(covariates)!);
            var y = table.Binary(parse.GetValue(outcome)!).Select(v => (double)v).ToArray();
            var m = LogisticRegression.Fit(names.Select(table.Numbers).ToList(), names, y);
            var coefficients = new JsonArray();
            foreach (var c in m.Coefficients)
            {
                coefficients.Add(new JsonObject
                {
                    ["name"] = c.Name, ["coef"] = Num(c.Coefficient), ["se"] = Num(c.StandardError), ["or"] = Num(c.OddsRatio),
                    ["or_ci_lower"] = Num(c.OddsRatioLower), ["or_ci_upper"] = Num(c.OddsRatioUpper), ["p"] = Num(c.P),
                });
            }

            return new JsonObject { ["coefficients"] = coefficients, ["aic"] = Num(m.Aic) };
        }));
        return command;
    }

    private static Command MannWhitney()
    {
        var input = InputOption();
        var value = ColumnOption("--value", "Value column");
        var group = ColumnOption("--group", "Group column with exactly two values");
        var command = new Command("mannwhitney", "Wilcoxon rank-sum (Mann-Whitney U) test, as R's wilcox.test(value ~ group)") { input, value, group };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var v = table.Numbers(parse.GetValue(value)!);
            var g = table.Text(parse.GetValue(group)!);
            var levels = g.Distinct().ToList();
            if (levels.Count != 2)
            {
                throw new StatsInputException($"column '{parse.GetValue(group)}' must hold exactly two groups (found {levels.Count})");
            }

            // W is the rank sum of the first group in R's factor order (numeric order for numbers, else text order).
            var first = double.TryParse(levels[0], System.Globalization.CultureInfo.InvariantCulture, out var a)
                && double.TryParse(levels[1], System.Globalization.CultureInfo.InvariantCulture, out var b)
                ? (a < b ? levels[0] : levels[1])
                : levels.Order(StringComparer.Ordinal).First();
            var x = v.Where((_, i) => g[i] == first).ToArray();
            var y = v.Where((_, i) => g[i] != first).ToArray();
            var r = MannWhitneyTest.Compute(x, y);
            return new JsonObject { ["w"] = Num(r.Statistic), ["p"] = Num(r.P) };
        }));
        return command;
    }

    private static Command ChiSquare()
    {
        var input = InputOption();
        var row = ColumnOption("--row", "Row variable column");
        var col = ColumnOption("--col", "Column variable column");
        var command = new Command("chisq", "Pearson's chi-square test of independence (Yates' correction on 2 x 2)") { input, row, col };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            return ChiSquare(ChiSquareTest.Compute(table.Text(parse.GetValue(row)!), table.Text(parse.GetValue(col)!)));
        }));
        return command;
    }

    private static Command Lasso()
    {
        var input = InputOption();
        var outcome = ColumnOption("--outcome", "Outcome column (0/1)");
        var covariates = CovariatesOption();
        var lambda = new Option<double?>("--lambda") { Description = "Coefficients at this lambda (as coef(glmnet(...), s = lambda))" };
        var folds = new Option<int?>("--folds") { Description = "K-fold cross-validation (with --seed)" };
        var seed = new Option<int>("--seed") { Description = "Random seed of the fold assignment", DefaultValueFactory = _ => 1 };
        var use = new Option<string>("--use")
        {
            Description = "With --folds, report coefficients at lambda.1se (default, as coef(cv.glmnet)) or lambda.min",
            DefaultValueFactory = _ => "1se",
        };
        use.AcceptOnlyFromAmong("1se", "min");
        var command = new Command("lasso", "LASSO logistic regression (glmnet-compatible) at a lambda or by cross-validation")
        {
            input, outcome, covariates, lambda, folds, seed, use,
        };
        command.SetAction(parse => Run(() =>
        {
            var table = StatsTable.Read(parse.GetValue(input)!);
            var names = SplitCovariates(parse.GetValue(covariates)!);
            var y = table.Binary(parse.GetValue(outcome)!).Select(v => (double)v).ToArray();
            var x = names.Select(table.Numbers).ToList();
            var l = parse.GetValue(lambda);
            var k = parse.GetValue(folds);
            if (l.HasValue == k.HasValue)
            {
                throw new StatsInputException("give either --lambda X or --folds K (with --seed S)");
            }

            LassoFit fit;
            double? lambdaMin = null, lambda1se = null;
            if (l.HasValue)
            {
                fit = LassoLogistic.At(x, names, y, l.Value);
            }
            else
            {
                var cv = LassoLogistic.CrossValidate(x, names, y, LassoLogistic.RandomFolds(y.Length, k!.Value, parse.GetValue(seed)));
                lambdaMin = cv.LambdaMin;
                lambda1se = cv.Lambda1se;
                fit = LassoLogistic.Interpolate(cv.Path, parse.GetValue(use) == "min" ? cv.LambdaMin : cv.Lambda1se);
            }

            var coefficients = new JsonObject();
            var selected = new JsonArray();
            for (var j = 0; j < names.Length; j++)
            {
                coefficients[names[j]] = Num(fit.Coefficients[j]);
                if (fit.Coefficients[j] != 0)
                {
                    selected.Add(names[j]);
                }
            }

            return new JsonObject
            {
                ["intercept"] = Num(fit.Intercept), ["coefficients"] = coefficients, ["lambda_min"] = Num(lambdaMin), ["lambda_1se"] = Num(lambda1se),
                ["selected"] = selected,
            };
        }));
        return command;
    }

    private static JsonObject ChiSquare(ChiSquareResult r) => new() { ["chisq"] = Num(r.ChiSquare), ["df"] = r.DegreesOfFreedom, ["p"] = Num(r.P) };

    private static JsonObject? Proportion(ProportionEstimate? p) => p is null
        ? null
        : new JsonObject { ["estimate"] = Num(p.Estimate), ["ci_lower"] = Num(p.Lower), ["ci_upper"] = Num(p.Upper) };

    /// <summary>A JSON number, or null for R's NA (NaN, infinities, absent).</summary>
    private static JsonNode? Num(double? v) => v is { } d && double.IsFinite(d) ? JsonValue.Create(d) : null;

    /// <summary>Runs a command body: its JSON to standard output (exit 0), or its refusal to standard error (exit 2).</summary>
    private static int Run(Func<JsonNode> body)
    {
        try
        {
            Console.Out.WriteLine(body().ToJsonString(Indented));
            return 0;
        }
        catch (Exception ex) when (ex is StatsInputException or StatisticsException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }
}
