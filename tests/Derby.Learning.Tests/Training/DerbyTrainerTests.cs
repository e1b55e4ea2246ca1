using System.Diagnostics;
using Derby.Learning.Networks;
using Derby.Learning.Runtime;
using Derby.Learning.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Derby.Learning.Tests.Training;

public sealed class DerbyTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_OverfitsASmallBatch_OfEightPairs()
    {
        TorchRuntime.SetThreads(2);
        var (pairs, labels) = ToyPairs.Make(8, 32, seed: 3);
        using var net = DerbyPairNet.Create(11);
        var clock = Stopwatch.StartNew();
        var report = DerbyTrainer.Train(net, pairs, labels, new TrainingOptions(Epochs: 8, BatchSize: 8, LearningRate: 1e-3, Seed: 11), torch.CPU);
        var probabilities = DerbyTrainer.PredictResponder(net, pairs, torch.CPU);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s; losses {string.Join(", ", report.EpochLosses.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}; p {string.Join(", ", probabilities.Select(p => p.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");

        Assert.Equal(8, report.Steps);
        Assert.Equal(new[] { 1.0, 1.0 }, report.ClassWeights);
        Assert.True(report.EpochLosses[0] > 0.3, $"first loss {report.EpochLosses[0]}");
        Assert.True(report.EpochLosses[^1] < 0.05, $"last loss {report.EpochLosses[^1]}");
        Assert.Equal(labels, probabilities.Select(p => p > 0.5f ? 1 : 0));
    }

    [Fact]
    public void Train_WithTheAuxiliaryHead_LearnsTheDescriptors_Reproducibly_AndLeavesAPlainNetwork()
    {
        TorchRuntime.SetThreads(2);
        // Lesions the descriptors can see: discs at the centre, of growing radius, core and rim uptake.
        var pairs = Enumerable.Range(0, 8).Select(i => CentredLesion(radius: 3 + i, core: 0.1f * (i % 3), rim: 0.5f + (0.05f * i))).ToArray();
        var labels = Enumerable.Range(0, 8).Select(i => i % 2).ToArray();

        (TrainingReport Report, float[][] Features) Run()
        {
            using var net = DerbyPairNet.Create(17);
            // At the default 1e-3 one Adam step per epoch on 8 pairs overshoots (the loss climbs to 2 before it falls, and where it
            // ends depends on the CPU's kernels); at 3e-4 it falls steadily, which is what this test is about.
            var report = DerbyTrainer.Train(net, pairs, labels, new TrainingOptions(Epochs: 20, BatchSize: 8, LearningRate: 3e-4, Seed: 17, AuxiliaryWeight: 1), torch.CPU);
            // The head is not part of the network: the weights load into a plain network and give the same features.
            var path = Path.Combine(Path.GetTempPath(), $"derby-aux-{Guid.NewGuid():N}.bin");
            try
            {
                net.Save(path);
                using var loaded = DerbyPairNet.Load(path);
                var features = DerbyTrainer.ExtractFeatures(net, pairs, torch.CPU);
                Assert.Equal(features, DerbyTrainer.ExtractFeatures(loaded, pairs, torch.CPU));
                return (report, features);
            }
            finally
            {
                File.Delete(path);
            }
        }

        var first = Run();
        var second = Run();
        output.WriteLine($"auxiliary losses {string.Join(", ", first.Report.AuxiliaryLosses.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");

        Assert.Equal(20, first.Report.AuxiliaryLosses.Count);
        // z-scored targets: an untrained head starts near their variance (1) and the loss must fall well below it.
        // One step per epoch on 8 pairs is noisy: compare the first and the last five epochs.
        var losses = first.Report.AuxiliaryLosses;
        Assert.True(losses.TakeLast(5).Average() < 0.6 * losses.Take(5).Average(), string.Join(", ", losses));
        Assert.Equal(first.Report.AuxiliaryLosses, second.Report.AuxiliaryLosses);
        Assert.Equal(first.Features, second.Features);
    }

    [Fact]
    public void Train_WithoutTheAuxiliaryHead_ReportsNoAuxiliaryLoss()
    {
        TorchRuntime.SetThreads(2);
        var (pairs, labels) = ToyPairs.Make(4, 32, seed: 9);
        using var net = DerbyPairNet.Create(19);

        var report = DerbyTrainer.Train(net, pairs, labels, new TrainingOptions(Epochs: 1, BatchSize: 4, Seed: 19), torch.CPU);

        Assert.Empty(report.AuxiliaryLosses);
    }

    [Fact]
    public void Train_CallsAfterEpochInEvaluationMode_AndStopsWhenItSaysSo()
    {
        TorchRuntime.SetThreads(2);
        var (pairs, labels) = ToyPairs.Make(4, 32, seed: 7);
        using var net = DerbyPairNet.Create(13);
        var seen = new List<(int Epoch, double Loss, bool Training)>();

        var report = DerbyTrainer.Train(net, pairs, labels, new TrainingOptions(Epochs: 5, BatchSize: 4, Seed: 13, RecalibrateBatchNorm: false), torch.CPU,
            afterEpoch: (epoch, loss) =>
            {
                seen.Add((epoch, loss, net.training));
                return epoch < 2;
            });

        Assert.Equal([1, 2], seen.Select(s => s.Epoch));
        Assert.All(seen, s => Assert.False(s.Training));
        Assert.Equal(report.EpochLosses, seen.Select(s => s.Loss));
        Assert.Equal(2, report.Steps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExtractFeatures_GivesBitIdentical1024dFeatures_ForTheSameSeedAndData(bool augment)
    {
        TorchRuntime.SetThreads(2);
        var (pairs, labels) = ToyPairs.Make(4, 32, seed: 5);

        float[][] Run(bool withAugmentation)
        {
            using var net = DerbyPairNet.Create(21);
            DerbyTrainer.Train(net, pairs, labels, new TrainingOptions(Epochs: 1, BatchSize: 4, Seed: 21, Augment: withAugmentation), torch.CPU);
            return DerbyTrainer.ExtractFeatures(net, pairs, torch.CPU);
        }

        var first = Run(augment);
        var second = Run(augment);
        Assert.Equal(4, first.Length);
        Assert.All(first, f => Assert.Equal(DerbyPairNet.FeatureSize, f.Length));
        for (var i = 0; i < first.Length; i++)
        {
            Assert.Equal(
                first[i].Select(BitConverter.SingleToInt32Bits),
                second[i].Select(BitConverter.SingleToInt32Bits));
        }

        using var other = DerbyPairNet.Create(22);
        Assert.NotEqual(first[0], DerbyTrainer.ExtractFeatures(other, pairs, torch.CPU)[0]);
        if (augment)
        {
            // The turned pairs are what the step saw: the same seed without augmentation trains other weights.
            Assert.NotEqual(first[0], Run(false)[0]);
        }
    }

    [Fact]
    public void ClassWeights_FollowSklearnsBalancedRule_WhenClassesAreUneven()
    {
        var weights = DerbyTrainer.ClassWeights([0, 0, 0, 1]);
        Assert.Equal(4 / (2.0 * 3), weights[0], 12);
        Assert.Equal(2.0, weights[1], 12);
        Assert.Equal(new[] { 0.5, 0.0 }, DerbyTrainer.ClassWeights([0, 0]));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void RecalibrateBatchNorm_MakesEvaluationMode_GiveWhatTrainingModeGives_OnTheBatchesItSawWhole(int batchSize)
    {
        // LibTorch's own training-mode normalisation (batch statistics, biased variance) is the truth: after recalibration
        // on batches of the training size, evaluation mode must give the same logits for a batch of all 8 pairs when the
        // batch was all 8 pairs. On smaller batches the statistics differ from those of the whole, and so must the logits.
        TorchRuntime.SetThreads(2);
        var (pairs, labels) = ToyPairs.Make(8, 32, seed: 23);
        using var net = DerbyPairNet.Create(23);
        DerbyTrainer.Train(net, pairs, labels, new TrainingOptions(Epochs: 2, BatchSize: 8, Seed: 23, RecalibrateBatchNorm: false), torch.CPU);

        DerbyTrainer.RecalibrateBatchNorm(net, pairs, torch.CPU, batchSize);
        float[] evaluation;
        float[] training;
        using (torch.no_grad())
        {
            var (pet, ct) = PairTensors.Batch(pairs, 0, pairs.Length, torch.CPU);
            using (pet)
            using (ct)
            {
                using var evaluationLogits = net.call(pet, ct);
                evaluation = evaluationLogits.data<float>().ToArray();
                var norms = net.modules().OfType<TorchSharp.Modules.BatchNorm2d>().ToArray();
                foreach (var bn in norms)
                {
                    bn.momentum = 0.0;
                    bn.train();
                }

                using var trainingLogits = net.call(pet, ct);
                training = trainingLogits.data<float>().ToArray();
                net.eval();
            }
        }

        var largest = evaluation.Zip(training, (e, t) => Math.Abs(e - t)).Max();
        var scale = training.Max(Math.Abs);
        output.WriteLine($"batch {batchSize}: largest logit difference {largest:G3} of logits up to {scale:G3}");
        if (batchSize == pairs.Length)
        {
            Assert.True(largest < 1e-3 * Math.Max(1, scale), $"evaluation and training mode differ by {largest} (logits up to {scale})");
        }
        else
        {
            Assert.True(largest > 1e-2 * Math.Max(1, scale), $"batches of {batchSize} gave the statistics of the whole set: {largest}");
        }
    }

    [Fact]
    public void SaveAndLoad_GiveTheSameFeatures()
    {
        TorchRuntime.SetThreads(2);
        var (pairs, _) = ToyPairs.Make(2, 32, seed: 2);
        var path = Path.Combine(Path.GetTempPath(), $"derby-pairnet-{Guid.NewGuid():N}.bin");
        try
        {
            float[] before;
            using (var net = DerbyPairNet.Create(4))
            {
                before = DerbyTrainer.ExtractFeatures(net, pairs, torch.CPU)[1];
                net.Save(path);
            }

            using var loaded = DerbyPairNet.Load(path, 99);
            Assert.Equal(before, DerbyTrainer.ExtractFeatures(loaded, pairs, torch.CPU)[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static PairInput CentredLesion(int radius, float core, float rim)
    {
        const int size = 32;
        var plane = size * size;
        var pet = new float[plane];
        var ct = new float[3 * plane];
        Array.Fill(pet, 0.2f);
        Array.Fill(ct, 0.4f);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var r = Math.Sqrt(((x - 16) * (x - 16)) + ((y - 16) * (y - 16)));
                if (r <= radius)
                {
                    var inner = r <= radius / 2.0;
                    pet[(y * size) + x] = inner ? core : rim;
                    ct[plane + (y * size) + x] = inner ? 0.3f : 0.5f;
                }
            }
        }

        return new PairInput(pet, ct, size) { RoiArea = Math.PI * radius * radius };
    }
}
