using System.Diagnostics;
using System.Globalization;
using Derby.Learning.Forest;

namespace Derby.Benchmarks;

/// <summary>
/// The DERBY pair forest (Derby.Learning.Forest, ML.NET FastForest) trained and applied run by run, the .NET half of
/// benchmarks/forest-vs-sklearn.sh; benchmarks/forest-peer/sklearn_forest_peer.py is the scikit-learn half and speaks
/// the same protocol, so the script can interleave the two processes run by run:
/// <code>
/// dotnet run -c Release --project benchmarks/Derby.Benchmarks -- forest-peer --train train.csv --test test.csv --trees 300 --leaves 64 --min-leaf 5 --max-features 0.2041 --bagging 0.7 --threads 1 [--seed 1] [--serve]
/// </code>
/// CSV columns: patient,pair,area,label,features... It reads both files, prints <c>ready ...</c>, then per <c>run [seed]</c>
/// line (with <c>--serve</c>; otherwise once, with <c>--seed</c>) trains on the training rows, predicts the test rows and prints
/// <c>train_s T predict_s P auc A patient_auc B</c>: the pair-level AUC of the probabilities and the patient-level AUC of
/// the area-weighted TRS on the held-out patients.
/// </summary>
public static class ForestPeer
{
    public static void Run(string[] args)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"Unexpected argument {args[i]}.");
            o[key] = key == "serve" ? "true" : args[++i];
        }

        double Number(string key, string fallback) => double.Parse(o.GetValueOrDefault(key, fallback), CultureInfo.InvariantCulture);
        var (train, trainLabels) = Read(o["train"]);
        var (test, testLabels) = Read(o["test"]);
        var threads = (int)Number("threads", "1");
        var options = new RandomForestOptions
        {
            Trees = (int)Number("trees", "300"),
            MaximumLeaves = (int)Number("leaves", "64"),
            MinimumExamplesPerLeaf = (int)Number("min-leaf", "5"),
            FeatureFractionPerSplit = Number("max-features", "0.2041"),
            BaggingFraction = Number("bagging", "0.7"),
            Seed = (int)Number("seed", "1"),
            Threads = threads,
        };

        string Step(int? seed)
        {
            var watch = Stopwatch.StartNew();
            var forest = PairForest.Train(train, trainLabels, seed is { } s ? options with { Seed = s } : options);
            var trainSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var p = forest.PredictPairs(test);
            var predictSeconds = watch.Elapsed.TotalSeconds;
            var pairAuc = Auc(p, test.PatientKeys.Select(k => testLabels[k]).ToArray());
            var patients = TherapyResponseScore.Compute(test, p);
            var patientAuc = Auc(patients.Select(r => r.Score).ToArray(), patients.Select(r => testLabels[r.PatientKey]).ToArray());
            return FormattableString.Invariant($"train_s {trainSeconds:F6} predict_s {predictSeconds:F6} auc {pairAuc:F6} patient_auc {patientAuc:F6}");
        }

        Console.WriteLine(FormattableString.Invariant(
            $"ready impl=derby train_rows={train.Count} test_rows={test.Count} features={train.ColumnCount} threads={threads} version=Microsoft.ML.FastTree-5.0.1"));
        if (!o.ContainsKey("serve"))
        {
            Console.WriteLine(Step(null));
            return;
        }

        string? line;
        while ((line = Console.ReadLine()) is not null && line.Trim() != "quit")
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Console.WriteLine(Step(words.Length > 1 ? int.Parse(words[1], CultureInfo.InvariantCulture) : null));
        }
    }

    private static (PairTable Table, Dictionary<string, bool> Labels) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        var rows = new List<PairRow>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            labels[f[0]] = f[3] == "1";
            rows.Add(new PairRow(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture),
                f.Skip(4).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()));
        }

        return (PairTable.Create(header[4..], rows), labels);
    }

    /// <summary>Area under the ROC curve by ranks (Mann–Whitney, average ranks for ties).</summary>
    private static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        var positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    rankSum += rank;
                    positives++;
                }
            }

            i = j + 1;
        }

        double negatives = scores.Count - positives;
        return (rankSum - positives * (positives + 1) / 2.0) / (positives * negatives);
    }
}
