using System.Globalization;
using System.Text.Json.Nodes;
using Derby.Learning.Forest;
using Xunit.Abstractions;

namespace Derby.Learning.Tests.Forest;

public sealed class PairForestTests(ITestOutputHelper output)
{
    private static readonly RandomForestOptions Small = new() { Trees = 50, MaximumLeaves = 16, Seed = 5 };

    [Fact]
    public void PatientAuc_OnHeldOutPatients_IsWithin002OfScikitLearnsRandomForest()
    {
        // Mean over 3 seeds on both sides: one seed's AUC on 150 patients moves by about 0.01.
        int[] seeds = [1, 2, 3];
        var data = ForestData.Generate(patients: 300, columns: 20, seed: 11);
        var patients = data.Table.Patients;
        var train = data.Table.SelectPatients(patients.Take(150));
        var test = data.Table.SelectPatients(patients.Skip(150));
        var options = new RandomForestOptions { Trees = 300, MaximumLeaves = 32, MinimumExamplesPerLeaf = 5, BaggingFraction = 0.7 };

        var derbyAucs = seeds.Select(seed =>
        {
            var derby = PairForest.Train(train, data.Responders, options with { Seed = seed }).ScorePatients(test);
            return ForestData.Auc(derby.Select(r => r.Score).ToArray(), derby.Select(r => data.Responders[r.PatientKey]).ToArray());
        }).ToArray();

        var folder = Directory.CreateTempSubdirectory("derby-forest-");
        try
        {
            var trainCsv = Path.Combine(folder.FullName, "train.csv");
            var testCsv = Path.Combine(folder.FullName, "test.csv");
            ForestData.WriteCsv(trainCsv, train, data.Responders);
            ForestData.WriteCsv(testCsv, test, data.Responders);
            var maxFeatures = options.EffectiveFeatureFractionPerSplit(train.ColumnCount);
            var peer = JsonNode.Parse(PythonPeer.Run("sklearn_forest.py", null, trainCsv, testCsv,
                "300", "32", "5", maxFeatures.ToString("R", CultureInfo.InvariantCulture), "0.7", string.Join(',', seeds)))!;
            var sklearnAucs = new List<double>();
            foreach (var run in peer["runs"]!.AsArray())
            {
                var probabilities = run!["probabilities"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                // The same TRS and AUC code on scikit-learn's pair probabilities gives scikit-learn's own patient AUC.
                var sklearn = TherapyResponseScore.Compute(test, probabilities);
                var auc = ForestData.Auc(sklearn.Select(r => r.Score).ToArray(), sklearn.Select(r => data.Responders[r.PatientKey]).ToArray());
                Assert.Equal(run["patient_auc"]!.GetValue<double>(), auc, 9);
                sklearnAucs.Add(auc);
            }

            var (derbyAuc, sklearnAuc) = (derbyAucs.Average(), sklearnAucs.Average());
            output.WriteLine($"patient AUC on {test.Patients.Count} held-out patients, mean of seeds {string.Join(',', seeds)}: " +
                $"Derby {derbyAuc:F4} ({string.Join(' ', derbyAucs.Select(a => a.ToString("F4", CultureInfo.InvariantCulture)))}), " +
                $"scikit-learn {sklearnAuc:F4} ({string.Join(' ', sklearnAucs.Select(a => a.ToString("F4", CultureInfo.InvariantCulture)))})");
            Assert.True(derbyAuc > 0.75, $"Derby's patient AUC {derbyAuc:F3}: the signal should be found");
            Assert.True(Math.Abs(derbyAuc - sklearnAuc) <= 0.02, $"patient AUC: Derby {derbyAuc:F4}, scikit-learn {sklearnAuc:F4}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Probability_IsTheMeanResponderFractionOfTheLeaves()
    {
        // One tree on every row, two leaves, one feature: x = 0 rows are 1/4 responders, x = 1 rows 3/4.
        var rows = new List<PairRow>();
        var labels = new Dictionary<string, bool>();
        for (var i = 0; i < 40; i++)
        {
            var x = i < 20 ? 0f : 1f;
            var responder = i < 20 ? i % 4 == 0 : i % 4 != 0;
            rows.Add(new PairRow($"P{i}", $"Q{i}", 10, [x]));
            labels[$"P{i}"] = responder;
        }

        var table = PairTable.Create(["x"], rows);
        var forest = PairForest.Train(table, labels,
            new RandomForestOptions { Trees = 1, MaximumLeaves = 2, MinimumExamplesPerLeaf = 1, BaggingFraction = 1, FeatureFractionPerSplit = 1 });
        var p = forest.PredictPairs(table);

        Assert.Equal(0.25, p[0], 6);
        Assert.Equal(0.75, p[39], 6);
    }

    [Fact]
    public void Training_IsDeterministic_AndSaveLoadKeepsTheProbabilitiesBitForBit()
    {
        var data = ForestData.Generate(patients: 60, columns: 8, seed: 3);
        foreach (var threads in new int?[] { 1, null })
        {
            var options = Small with { Threads = threads };
            var first = PairForest.Train(data.Table, data.Responders, options);
            var second = PairForest.Train(data.Table, data.Responders, options);
            var p1 = first.PredictPairs(data.Table);
            Assert.Equal(p1, second.PredictPairs(data.Table));
            Assert.All(p1, p => Assert.InRange(p, 0.0, 1.0));

            using var saved = new MemoryStream();
            var hash = first.Save(saved);
            Assert.Equal(hash, second.Sha256);  // the same forest saves to the same bytes
            Assert.Equal(64, hash.Length);

            saved.Position = 0;
            var loaded = PairForest.Load(saved, hash.ToUpperInvariant());
            Assert.Equal(p1, loaded.PredictPairs(data.Table));
            Assert.Equal(hash, loaded.Sha256);
            Assert.Equal(options, loaded.Options);
            Assert.Equal(data.Table.Columns, loaded.Columns);
        }

        var otherSeed = PairForest.Train(data.Table, data.Responders, Small with { Seed = 6 });
        Assert.NotEqual(PairForest.Train(data.Table, data.Responders, Small).PredictPairs(data.Table), otherSeed.PredictPairs(data.Table));
    }

    [Fact]
    public void DirectTreeWalk_GivesMlNetsScores()
    {
        var data = ForestData.Generate(patients: 80, columns: 12, seed: 9);
        var forest = PairForest.Train(data.Table, data.Responders, Small with { Trees = 40, MaximumLeaves = 32 });
        var mlnet = forest.MlNetScores(data.Table);
        var p = forest.PredictPairs(data.Table);
        for (var i = 0; i < p.Length; i++)
        {
            Assert.Equal((mlnet[i] / 40.0 + 1) / 2, p[i], 1e-5);  // ML.NET sums in float
        }

        Assert.Equal(p, PairForest.Train(data.Table, data.Responders, Small with { Trees = 40, MaximumLeaves = 32, Threads = 1 }).PredictPairs(data.Table));
    }

    [Fact]
    public void Load_WithAnotherHash_IsRefused()
    {
        var data = ForestData.Generate(patients: 30, columns: 4, seed: 4);
        var forest = PairForest.Train(data.Table, data.Responders, Small with { Trees = 5 });
        using var saved = new MemoryStream();
        var hash = forest.Save(saved);
        var wrong = new string('0', 64);

        saved.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => PairForest.Load(saved, wrong));
        Assert.Contains($"SHA-256 is {hash}, not the registered {wrong}", e.Message);

        var tampered = saved.ToArray();
        tampered[^10] ^= 1;
        Assert.Throws<InvalidDataException>(() => PairForest.Load(new MemoryStream(tampered), hash));
    }

    [Fact]
    public void Train_RefusesMissingLabelsAndASingleClass()
    {
        var data = ForestData.Generate(patients: 20, columns: 3, seed: 2);
        var partial = data.Responders.Skip(1).ToDictionary();
        Assert.Contains("1 patient(s) in the table have no responder label: P0000",
            Assert.Throws<ArgumentException>(() => PairForest.Train(data.Table, partial, Small)).Message);

        var allYes = data.Responders.Keys.ToDictionary(k => k, _ => true);
        Assert.Contains("a forest needs both classes",
            Assert.Throws<ArgumentException>(() => PairForest.Train(data.Table, allYes, Small)).Message);

        Assert.Contains("Trees is 0",
            Assert.Throws<ArgumentException>(() => PairForest.Train(data.Table, data.Responders, Small with { Trees = 0 })).Message);
    }

    [Fact]
    public void Train_RefusesLeavesTooLargeToSplitTheTreesSample_InsteadOfScoringNaN()
    {
        // 40 pairs, each tree samples half of them (20): a split needs two leaves of at least 10 pairs each.
        var rows = new List<PairRow>();
        var labels = new Dictionary<string, bool>();
        for (var i = 0; i < 40; i++)
        {
            rows.Add(new PairRow($"P{i}", $"Q{i}", 10, [i]));
            labels[$"P{i}"] = i >= 20;
        }

        var table = PairTable.Create(["x"], rows);
        var options = new RandomForestOptions { Trees = 5, MaximumLeaves = 4, MinimumExamplesPerLeaf = 11, BaggingFraction = 0.5, FeatureFractionPerSplit = 1, Seed = 1 };
        var message = Assert.Throws<ArgumentException>(() => PairForest.Train(table, labels, options)).Message;
        Assert.Contains("11 pairs per leaf", message);
        Assert.Contains("each tree samples 20 of the 40 pairs", message);

        // At 10 pairs per leaf every tree splits at least once, and the probabilities follow the label.
        var p = PairForest.Train(table, labels, options with { MinimumExamplesPerLeaf = 10 }).PredictPairs(table);
        Assert.All(p, x => Assert.InRange(x, 0.0, 1.0));
        Assert.True(p[39] > p[0], $"p(responder pair) {p[39]}, p(non-responder pair) {p[0]}");
    }

    [Fact]
    public void Train_RefusesAForestWithNoTree_WhenNoFeatureCanSplit()
    {
        // Enough pairs for any leaf size asked, but one constant feature: FastForest keeps no tree at all.
        var rows = Enumerable.Range(0, 40).Select(i => new PairRow($"P{i}", $"Q{i}", 10, [1f])).ToList();
        var labels = Enumerable.Range(0, 40).ToDictionary(i => $"P{i}", i => i % 2 == 0);
        var message = Assert.Throws<ArgumentException>(() =>
            PairForest.Train(PairTable.Create(["x"], rows), labels, new RandomForestOptions { Trees = 5, MinimumExamplesPerLeaf = 1, Seed = 1 })).Message;
        Assert.Contains("No tree of the forest could be split", message);
    }

    [Fact]
    public void PredictPairs_RefusesATableWithOtherColumns_AndASubsetForestWorksOnItsProjection()
    {
        var data = ForestData.Generate(patients: 40, columns: 6, seed: 8);
        var imaging = data.Table.SelectColumns(["f0", "f1", "f2"]);
        var forest = PairForest.Train(imaging, data.Responders, Small);

        Assert.Contains("are not the forest's", Assert.Throws<ArgumentException>(() => forest.PredictPairs(data.Table)).Message);
        Assert.Equal(data.Table.Count, forest.PredictPairs(data.Table.SelectColumns(forest.Columns)).Length);
    }
}
