using System.CommandLine;
using System.Globalization;
using System.Text;
using Derby.Application.Access;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Statistics;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby train</c>, <c>derby score</c>, <c>derby evaluate</c> and <c>derby model list|activate</c>: the model use cases
/// of the web app, run in the foreground (progress on standard error; JSON, or the Table 2 text, on standard output).
/// </summary>
internal static class ModelCommands
{
    public static IEnumerable<Command> Build() => [Train(), Score(), Evaluate(), Model()];

    private static Command Train()
    {
        var model = new Option<string>("--model") { Description = "derby or derby-plus", Required = true };
        var network = new Option<string?>("--network") { Description = "Network version whose F_img is used (default: the newest with a mixture)" };
        var cohort = new Option<string?>("--cohort") { Description = "Training or histology cohort (default: training for derby, histology for derby-plus)" };
        var lambda = new Option<string>("--lambda") { Description = "LASSO rule: 1se or min", DefaultValueFactory = _ => "1se" };
        var folds = new Option<int>("--folds") { Description = "LASSO cross-validation folds", DefaultValueFactory = _ => 10 };
        var trees = new Option<int>("--trees") { Description = "Random forest trees", DefaultValueFactory = _ => 300 };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree at most", DefaultValueFactory = _ => 64 };
        var minLeaf = new Option<int?>("--min-leaf") { Description = $"Pairs per leaf at least (default: the pairs of {ModelTrainingRequest.DefaultPatientsPerLeaf} training patients on average)" };
        var features = new Option<double?>("--features-per-split") { Description = "Share of features tried per split (default 1/sqrt(d))" };
        var seed = new Option<int>("--seed") { Description = "Seed of the LASSO folds and the forests", DefaultValueFactory = _ => 42 };
        var threshold = new Option<double>("--threshold") { Description = "TRS at or above which a patient is a predicted responder", DefaultValueFactory = _ => 0.5 };
        var command = new Command("train", "Train a DERBY or DERBY+ model version and freeze it (foreground)")
            { model, network, cohort, lambda, folds, trees, leaves, minLeaf, features, seed, threshold };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var models = services.GetRequiredService<ModelService>();
            var request = new ModelTrainingRequest(parse.GetValue(model)!, parse.GetValue(network), parse.GetValue(cohort), parse.GetValue(lambda)!, parse.GetValue(folds),
                parse.GetValue(trees), parse.GetValue(leaves), parse.GetValue(minLeaf), parse.GetValue(features), BaggingFraction: 0.7, parse.GetValue(seed),
                parse.GetValue(threshold));
            var version = await models.RequestTrainingAsync(AccessScope.System, request, token);
            await Console.Error.WriteLineAsync($"training {version.Version} on cohort {version.Cohort} with network {version.NetworkVersion}");
            await models.RunTrainingAsync(version.Id, new ErrorLines(), token);
            version = await models.GetAsync(AccessScope.System, version.Version, token);
            Json.Write(version);
            return version.Status == ModelVersionStatus.Trained ? 0 : 3;
        }, ct));
        return command;
    }

    private static Command Score()
    {
        var cohort = new Option<string>("--cohort") { Description = "Cohort code whose members are scored", Required = true };
        var model = new Option<string>("--model") { Description = "Model version, or derby / derby-plus for the active one", Required = true };
        var command = new Command("score", "Score a cohort's members with a frozen model version (unchanged inputs are not scored twice)") { cohort, model };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            await NoteNewerVersionAsync(services, parse.GetValue(model)!, token);
            var summary = await services.GetRequiredService<ScoringService>().ScoreCohortAsync(parse.GetValue(model)!, parse.GetValue(cohort)!, "cli", new ErrorLines(), token);
            Json.Write(summary);
            return 0;
        }, ct));
        return command;
    }

    private static Command Evaluate()
    {
        var model = new Option<string>("--model") { Description = "Model version, or derby / derby-plus for the active one", Required = true };
        var json = new Option<bool>("--json") { Description = "The evaluation as JSON instead of the table" };
        var command = new Command("evaluate", "The paper's Table 2 for a model version: AUC (95% CI), sensitivity, specificity, PPV, NPV per cohort") { model, json };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            await NoteNewerVersionAsync(services, parse.GetValue(model)!, token);
            var evaluation = await services.GetRequiredService<ScoringService>().EvaluateAsync(AccessScope.System, parse.GetValue(model)!, token);
            if (parse.GetValue(json))
            {
                Json.Write(evaluation);
            }
            else
            {
                await Console.Out.WriteAsync(Table2(evaluation));
            }

            return 0;
        }, ct));
        return command;
    }

    private static Command Model()
    {
        var command = new Command("model", "List the model versions, make one the active version of its kind");
        var list = new Command("list", "List the model versions (newest first)");
        list.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            Json.Write(await services.GetRequiredService<ModelService>().ListAsync(AccessScope.System, token));
            return 0;
        }, ct));
        var version = new Option<string>("--version") { Description = "Model version", Required = true };
        var activate = new Command("activate", "Make a trained version the active one of its kind") { version };
        activate.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            Json.Write(await services.GetRequiredService<ModelService>().ActivateAsync(AccessScope.System, parse.GetValue(version)!, token));
            return 0;
        }, ct));
        command.Subcommands.Add(list);
        command.Subcommands.Add(activate);
        return command;
    }

    /// <summary>
    /// A kind (derby, derby-plus) stands for its active version, which a newer training does not replace (only the first
    /// version of a kind becomes active, ADR 18): says so on standard error when a newer trained version exists, so a
    /// script that trains and then scores "derby" sees which version it used.
    /// </summary>
    private static async Task NoteNewerVersionAsync(IServiceProvider services, string model, CancellationToken token)
    {
        if (model is not ("derby" or "derby-plus"))
        {
            return;
        }

        var trained = (await services.GetRequiredService<ModelService>().ListAsync(AccessScope.System, token))
            .Where(v => v.Kind == model && v.Status == ModelVersionStatus.Trained).ToList();
        var active = trained.FirstOrDefault(v => v.IsActive);
        var newest = trained.OrderByDescending(v => v.TrainedUtc).FirstOrDefault();
        if (active is not null && newest is not null && newest.TrainedUtc > active.TrainedUtc)
        {
            await Console.Error.WriteLineAsync(
                $"note: {model} is the active version {active.Version}; the newer trained version {newest.Version} is not active " +
                $"(derby model activate --version {newest.Version}, or name it with --model)");
        }
    }

    /// <summary>The evaluation in the layout of the paper's Table 2 (one row per cohort), with the signatures' AUCs after it.</summary>
    internal static string Table2(ModelEvaluation e)
    {
        static string Percent(ProportionEstimate? p) => p is null ? "-" :
            string.Create(CultureInfo.InvariantCulture, $"{100 * p.Estimate:0.0}% ({100 * p.Lower:0.0}-{100 * p.Upper:0.0})");
        static string Auc(AucEstimate? a) => a is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{a.Auc:0.00} ({a.Lower:0.00}-{a.Upper:0.00})");
        var rows = e.Cohorts.Select(c => new[]
        {
            c.Name, $"{c.Evaluated}/{c.Members}", c.Responders.ToString(CultureInfo.InvariantCulture), Auc(c.Auc), Percent(c.Accuracy?.Sensitivity),
            Percent(c.Accuracy?.Specificity), Percent(c.Accuracy?.PositivePredictiveValue), Percent(c.Accuracy?.NegativePredictiveValue),
        }).ToList();
        string[] header = ["Cohort", "Scored", "Responders", "AUC (95% CI)", "Sensitivity", "Specificity", "PPV", "NPV"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{e.ModelVersion} ({e.Kind}), TRS >= {e.Threshold:0.###} = predicted responder");
        text.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in rows)
        {
            text.AppendLine(string.Join("  ", r.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
        }

        text.AppendLine();
        text.AppendLine("Single-modality signatures (AUC): " + string.Join("; ", e.Cohorts.Where(c => c.SignatureAuc.Count > 0)
            .Select(c => $"{c.Name}: " + string.Join(", ", c.SignatureAuc.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value:0.00}"))))));
        foreach (var c in e.Cohorts.Where(c => c.Note is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{c.Name}: {c.Note}");
        }

        return text.ToString();
    }
}
