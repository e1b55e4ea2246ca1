using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// The whole learning chain through the real command line (child processes, LibTorch on the CPU) on the demo's small
/// synthetic study: the synthetic physician (<c>lesion from-truth</c>), a 1-epoch crop-32 training, feature extraction and
/// the mixture, with reruns adding nothing and crashes at the feature and mixture commits recovered by rerunning.
/// </summary>
public sealed class NetworkCliTests : IDisposable
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "derby-network-cli", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a just-ended child process; the OS cleans the temp folder.
        }
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> TextsAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var result = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    private static void Ok((int ExitCode, string StdOut, string StdErr) run) =>
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");

    [Fact]
    public async Task FromTruth_Train_Extract_Gmm_GiveEveryPairFeaturesAndFimg_RerunsAddNothing_CrashesRecover()
    {
        // The demo: small synthetic study (seed 1) generated, imported and ingested, and the synthetic physician on all
        // imaged patients but ZSH-0001 and ZSH-0002.
        Ok(await Cli.RunLearningAsync(data, null, "demo"));
        var truth = Path.Combine(data, "synthetic", "small-seed-1", "ground-truth", "truth.json");
        var handDrawn = await CountAsync("SELECT count(*) FROM Lesions l JOIN Patients p ON p.Id = l.PatientId WHERE p.Pseudonym IN ('ZSH-0001','ZSH-0002')");
        Assert.Equal(0, handDrawn);

        var fromTruth = await Cli.RunLearningAsync(data, null, "lesion", "from-truth", "--truth", truth);
        Ok(fromTruth);
        var lesions = await CountAsync("SELECT count(*) FROM Lesions");
        var pairSets = await CountAsync("SELECT count(*) FROM PairSets");
        Assert.True(await CountAsync("SELECT count(*) FROM Lesions l JOIN Patients p ON p.Id = l.PatientId WHERE p.Pseudonym IN ('ZSH-0001','ZSH-0002')") > 0);
        Ok(await Cli.RunLearningAsync(data, null, "lesion", "from-truth", "--truth", truth));
        Assert.Equal(lesions, await CountAsync("SELECT count(*) FROM Lesions"));
        Assert.Equal(pairSets, await CountAsync("SELECT count(*) FROM PairSets"));

        // Killed in the middle of training (after its first epoch was recorded), then as the trained model is about to be
        // saved: the version stays "training" without a checkpoint, and the same request run again trains that version
        // from the start, once.
        // The network sees the centred 48 pixels of the stored 64-pixel crops, resampled to 32, and learns the pairs' lesion
        // descriptors beside the response, each pair taken against the lesion's surroundings.
        string[] trainArgs = ["network", "train", "--cohort", "training", "--epochs", "1", "--crop", "32", "--field", "48", "--auxiliary", "1", "--against-surroundings", "--device", "cpu"];
        foreach (var point in new[] { "network.epoch:1", "network.commit" })
        {
            var killed = await Cli.RunLearningAsync(data, point, trainArgs);
            Assert.NotEqual(0, killed.ExitCode);
            Assert.Contains($"fault point '{point.Split(':')[0]}' reached", killed.StdErr);
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM NetworkModels"));
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM NetworkModels WHERE Status = 'Training' AND CheckpointSha256 IS NULL AND CurrentEpoch = 1"));
            Assert.Equal(0, await CountAsync("SELECT count(*) FROM AuditEvents WHERE Action = 'network.trained'"));
        }

        var train = await Cli.RunLearningAsync(data, null, trainArgs);
        Ok(train);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM NetworkModels"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM AuditEvents WHERE Action = 'network.restarted'"));
        Assert.Contains("epoch 1/1: train loss", train.StdErr);
        var settings = JsonDocument.Parse((await TextsAsync("SELECT SettingsJson FROM NetworkModels")).Single()).RootElement;
        Assert.Equal(48, settings.GetProperty("field").GetInt32());
        Assert.Equal(1.0, settings.GetProperty("auxiliary").GetDouble());
        Assert.True(settings.GetProperty("againstSurroundings").GetBoolean());
        using var model = JsonDocument.Parse(train.StdOut);
        Assert.Equal("trained", model.RootElement.GetProperty("status").GetString());
        var version = model.RootElement.GetProperty("version").GetString()!;
        Assert.Equal(1, model.RootElement.GetProperty("current_epoch").GetInt32());
        Assert.True(model.RootElement.GetProperty("validation_patients").GetInt32() >= 1);

        // Killed at the third feature commit: two feature sets, each whole; the rerun does the rest.
        var crashed = await Cli.RunLearningAsync(data, "features.commit:3", "network", "extract", "--version", version);
        Assert.NotEqual(0, crashed.ExitCode);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM FeatureSets"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM GradCamSets"));
        Ok(await Cli.RunLearningAsync(data, null, "network", "extract", "--version", version));
        Assert.Equal(pairSets, await CountAsync("SELECT count(*) FROM FeatureSets"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM PairSets s WHERE NOT EXISTS (SELECT 1 FROM FeatureSets f WHERE f.PairSetId = s.Id)"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM PairSets s JOIN FeatureSets f ON f.PairSetId = s.Id WHERE f.PairCount <> s.PairCount"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM PairSets s WHERE NOT EXISTS (SELECT 1 FROM GradCamSets g WHERE g.PairSetId = s.Id AND g.PairCount = s.PairCount AND g.CropSize = 32)"));
        Ok(await Cli.RunLearningAsync(data, null, "network", "extract", "--version", version));
        Assert.Equal(pairSets, await CountAsync("SELECT count(*) FROM FeatureSets"));

        // Pair sets featurized before maps were stored (here: their map rows removed) get their maps back from a rerun,
        // without their features being recomputed.
        var features = await TextsAsync("SELECT Sha256 || ' ' || Id FROM FeatureSets ORDER BY Id");
        Assert.Equal(3, await CountAsync("DELETE FROM GradCamSets WHERE Id IN (SELECT Id FROM GradCamSets ORDER BY Id LIMIT 3); SELECT changes()"));
        var backfill = await Cli.RunLearningAsync(data, null, "network", "extract", "--version", version);
        Ok(backfill);
        Assert.Equal(3, backfill.StdErr.Split('\n').Count(l => l.Contains("(Grad-CAM)", StringComparison.Ordinal)));
        Assert.Equal(features, await TextsAsync("SELECT Sha256 || ' ' || Id FROM FeatureSets ORDER BY Id"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM PairSets s WHERE NOT EXISTS (SELECT 1 FROM GradCamSets g WHERE g.PairSetId = s.Id AND g.PairCount = s.PairCount AND g.CropSize = 32)"));

        // Killed at the mixture's commit: nothing of it stored; the rerun stores it whole, a third run adds nothing.
        var gmmCrash = await Cli.RunLearningAsync(data, "mixture.commit", "network", "gmm", "--version", version, "--k-max", "3");
        Assert.NotEqual(0, gmmCrash.ExitCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM MixtureModels"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM PairImageFeatures"));
        Ok(await Cli.RunLearningAsync(data, null, "network", "gmm", "--version", version, "--k-max", "3"));
        var pairs = await CountAsync("SELECT count(*) FROM ImagePairs");
        Assert.Equal(pairs, await CountAsync("SELECT count(*) FROM PairImageFeatures"));
        var k = await CountAsync("SELECT K FROM MixtureModels");
        Assert.InRange(k, 1, 3);
        foreach (var json in await TextsAsync("SELECT ResponsibilitiesJson FROM PairImageFeatures"))
        {
            var r = JsonSerializer.Deserialize<double[]>(json)!;
            Assert.Equal(k, r.Length);
            Assert.All(r, x => Assert.InRange(x, 0, 1));
            Assert.Equal(1.0, r.Sum(), 1e-9);
        }

        var again = await Cli.RunLearningAsync(data, null, "network", "gmm", "--version", version, "--k-max", "3");
        Ok(again);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM MixtureModels"));
        Assert.Equal(pairs, await CountAsync("SELECT count(*) FROM PairImageFeatures"));

        // The default mixture is on 8 principal components; one on the features themselves (0 components) is a second
        // mixture of the network (its newest), with its own F_img for every pair; the first is left as it was; a rerun on
        // as many components adds nothing; too many components are refused.
        Assert.Equal(8, await CountAsync("SELECT Dimensions FROM MixtureModels"));
        var firstMixture = await TextsAsync("SELECT Id || ' ' || ParametersSha256 FROM MixtureModels");
        Ok(await Cli.RunLearningAsync(data, null, "network", "gmm", "--version", version, "--k-max", "3", "--dimensions", "0"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM MixtureModels"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM MixtureModels WHERE Dimensions = 0"));
        Assert.Equal(firstMixture, await TextsAsync("SELECT Id || ' ' || ParametersSha256 FROM MixtureModels WHERE Dimensions = 8"));
        Assert.Equal(pairs, await CountAsync("SELECT count(*) FROM PairImageFeatures f JOIN MixtureModels m ON m.Id = f.MixtureModelId WHERE m.Dimensions = 0"));
        Assert.Equal(2 * pairs, await CountAsync("SELECT count(*) FROM PairImageFeatures"));
        Ok(await Cli.RunLearningAsync(data, null, "network", "gmm", "--version", version, "--k-max", "3", "--dimensions", "0"));
        Assert.Equal(2 * pairs, await CountAsync("SELECT count(*) FROM PairImageFeatures"));
        var tooMany = await Cli.RunLearningAsync(data, null, "network", "gmm", "--version", version, "--dimensions", "65");
        Assert.NotEqual(0, tooMany.ExitCode);
        Assert.Contains("0 (none) to 64", tooMany.StdErr);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM MixtureModels"));

        var list = await Cli.RunLearningAsync(data, null, "network", "list");
        Ok(list);
        Assert.Contains(version, list.StdOut);
    }
}
