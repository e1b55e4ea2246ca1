using Derby.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Learning.Training;

/// <summary>
/// Trains <see cref="DerbyPairNet"/> on labelled pairs (responder 1, non-responder 0) with Adam and class-balanced
/// cross-entropy, and extracts the 1024-d pair features. Runs are reproducible on the CPU: the shuffling comes from a
/// seeded <see cref="Random"/>, dropout and stochastic depth from LibTorch's generator seeded with the same seed, and
/// every step runs inside its own dispose scope.
/// </summary>
public static class DerbyTrainer
{
    /// <summary>Trains <paramref name="network"/> in place and reports the losses.</summary>
    /// <param name="network">The network, trained in place.</param>
    /// <param name="pairs">The training pairs.</param>
    /// <param name="labels">1 responder, 0 non-responder, one per pair.</param>
    /// <param name="options">Epochs, batch, learning rate, seed.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="progress">Receives each epoch's mean loss.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <param name="afterEpoch">
    /// Called after every epoch with the epoch (1-based) and its mean training loss, the network in evaluation mode (so the
    /// caller can validate or keep a checkpoint); false stops the training there (early stopping).
    /// </param>
    /// <exception cref="ArgumentException">No pairs, labels that do not match, or a label other than 0 and 1.</exception>
    public static TrainingReport Train(
        DerbyPairNet network,
        IReadOnlyList<PairInput> pairs,
        IReadOnlyList<int> labels,
        TrainingOptions options,
        Device device,
        IProgress<(int Epoch, double Loss)>? progress = null,
        CancellationToken cancellationToken = default,
        Func<int, double, bool>? afterEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        if (pairs.Count == 0 || pairs.Count != labels.Count)
        {
            throw new ArgumentException($"{pairs.Count} pairs and {labels.Count} labels: need as many labels as pairs, at least one.", nameof(labels));
        }

        if (labels.Any(l => l is not (0 or 1)))
        {
            throw new ArgumentException("Labels are 0 (non-responder) or 1 (responder).", nameof(labels));
        }

        var weights = ClassWeights(labels);
        var shuffle = new Random(unchecked((int)options.Seed));
        var symmetry = new Random(unchecked((int)options.Seed) ^ 0x2A6D);
        var symmetries = options.Augment ? new int[options.BatchSize] : null;
        random.manual_seed(options.Seed);
        network.to(device);
        network.train();
        // The auxiliary head (created after seeding, so it is reproducible too) and the z-scored descriptors it learns.
        using var auxiliary = options.AuxiliaryWeight > 0 ? nn.Linear(DerbyPairNet.FeatureSize, PairDescriptors.Count) : null;
        var targets = auxiliary is null ? null : StandardisedDescriptors(pairs);
        auxiliary?.to(device);
        auxiliary?.train();
        var parameters = auxiliary is null ? network.parameters() : network.parameters().Concat(auxiliary.parameters());
        using var optimizer = optim.Adam(parameters, lr: options.LearningRate, weight_decay: options.WeightDecay);
        using var classWeights = tensor(weights.Select(w => (float)w).ToArray()).to(device);
        var auxiliaryLosses = new List<double>();
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        var losses = new List<double>();
        var steps = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            double sum = 0, auxiliarySum = 0;
            var seen = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(options.BatchSize, order.Length - start);
                if (count < 2)
                {
                    continue;  // A last batch of one pair: batch normalisation cannot train on it.
                }

                using var scope = NewDisposeScope();
                var batch = order.Skip(start).Take(count).Select(i => pairs[i]).ToArray();
                if (symmetries is not null)
                {
                    for (var i = 0; i < count; i++)
                    {
                        symmetries[i] = symmetry.Next(Dihedral.Count);
                    }
                }

                var (pet, ct) = PairTensors.Batch(batch, 0, count, device, symmetries);
                var target = tensor(order.Skip(start).Take(count).Select(i => (long)labels[i]).ToArray()).to(device);
                optimizer.zero_grad();
                var (logits, features) = network.ForwardWithFeatures(pet, ct);
                var loss = nn.functional.cross_entropy(logits, target, weight: classWeights);
                var total = loss;
                if (auxiliary is not null)
                {
                    // The descriptors are discs about the centre, which the square's symmetries keep (up to the one-pixel shift of an even
                    // crop's centre pixel): the targets of the unturned pair serve.
                    var wanted = tensor(order.Skip(start).Take(count).SelectMany(i => targets![i]).ToArray(), [count, PairDescriptors.Count]).to(device);
                    var auxiliaryLoss = nn.functional.mse_loss(auxiliary.call(features), wanted);
                    total = loss + (auxiliaryLoss * options.AuxiliaryWeight);
                    auxiliarySum += auxiliaryLoss.item<float>() * count;
                }

                total.backward();
                optimizer.step();
                sum += loss.item<float>() * count;
                seen += count;
                steps++;
            }

            var mean = seen == 0 ? double.NaN : sum / seen;
            losses.Add(mean);
            if (auxiliary is not null)
            {
                auxiliaryLosses.Add(seen == 0 ? double.NaN : auxiliarySum / seen);
            }

            progress?.Report((epoch + 1, mean));
            if (afterEpoch is not null)
            {
                network.eval();
                var goOn = afterEpoch(epoch + 1, mean);
                network.train();
                if (!goOn)
                {
                    break;
                }
            }
        }

        if (options.RecalibrateBatchNorm)
        {
            RecalibrateBatchNorm(network, pairs, device, options.BatchSize);
        }

        network.eval();
        return new TrainingReport(losses, weights, steps, auxiliaryLosses);
    }

    /// <summary>Each pair's <see cref="PairDescriptors"/>, z-scored over <paramref name="pairs"/> (a constant descriptor becomes 0).</summary>
    public static float[][] StandardisedDescriptors(IReadOnlyList<PairInput> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var raw = pairs.Select(PairDescriptors.Compute).ToArray();
        var mean = new double[PairDescriptors.Count];
        var sd = new double[PairDescriptors.Count];
        for (var d = 0; d < PairDescriptors.Count; d++)
        {
            mean[d] = raw.Average(r => (double)r[d]);
            var m = mean[d];
            sd[d] = Math.Sqrt(raw.Average(r => (r[d] - m) * (r[d] - m)));
        }

        return [.. raw.Select(r => Enumerable.Range(0, PairDescriptors.Count).Select(d => sd[d] > 1e-9 ? (float)((r[d] - mean[d]) / sd[d]) : 0f).ToArray())];
    }

    /// <summary>
    /// Cross-entropy weights of class 0 and 1, n / (2 · n_c) as scikit-learn's "balanced": each class contributes as much
    /// to the loss as the other, whatever the responder rate. A class without pairs gets 0.
    /// </summary>
    public static double[] ClassWeights(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var counts = new[] { labels.Count(l => l == 0), labels.Count(l => l == 1) };
        return counts.Select(c => c == 0 ? 0.0 : labels.Count / (2.0 * c)).ToArray();
    }

    /// <summary>
    /// Replaces every batch-normalisation layer's running statistics by the statistics it normalised with in training,
    /// averaged over the given pairs ("precise BN"): the pairs are sent through in batches of <paramref name="batchSize"/>
    /// without gradients, with only the batch-normalisation layers in training mode (no dropout, no stochastic depth),
    /// and each layer's running mean and variance become the pair-weighted average of its batches' means and
    /// <em>biased</em> variances. Why: the exponential running averages lag far behind the weights after few steps or small
    /// batches, and evaluation mode then disagrees with training mode (all pairs one class on a tiny overfit run). Why
    /// biased: training normalises by the biased variance of the batch's values (batch × height × width per channel),
    /// while LibTorch's running variance is the unbiased one; on the 1×1 maps of the last stage with a batch of 8 the two
    /// differ by 8/7, enough to flip confident predictions. With the training batch size, evaluation mode then gives what
    /// training mode gave on a batch of the same statistics (exactly so when the pairs are one batch).
    /// </summary>
    /// <exception cref="InvalidOperationException">A batch-normalisation layer the pairs never reached.</exception>
    public static void RecalibrateBatchNorm(DerbyPairNet network, IReadOnlyList<PairInput> pairs, Device device, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        network.to(device);
        network.eval();
        var norms = network.modules().OfType<TorchSharp.Modules.BatchNorm2d>().ToArray();
        var momenta = norms.Select(bn => bn.momentum).ToArray();
        using var noGrad = no_grad();
        // Pair-weighted sums of each layer's batch means and biased variances, in double, and the pairs each layer saw.
        var sums = norms.Select(bn => (Mean: zeros(bn.running_mean!.shape, ScalarType.Float64, device), Variance: zeros(bn.running_var!.shape, ScalarType.Float64, device))).ToArray();
        var seen = new long[norms.Length];
        var hooks = new List<TorchSharp.Modules.BatchNorm2d.HookRemover>();
        try
        {
            for (var i = 0; i < norms.Length; i++)
            {
                var layer = i;
                norms[i].momentum = 0.0;  // Training mode without touching the running statistics: they are set below.
                norms[i].train();
                hooks.Add(norms[i].register_forward_pre_hook((_, input) =>
                {
                    var values = input.to_type(ScalarType.Float64);
                    var count = input.shape[0];
                    sums[layer].Mean.add_(values.mean([0, 2, 3]) * count);
                    sums[layer].Variance.add_(values.var([0, 2, 3], unbiased: false) * count);
                    seen[layer] += count;
                    return input;
                }));
            }

            for (var start = 0; start < pairs.Count; start += batchSize)
            {
                var count = Math.Min(batchSize, pairs.Count - start);
                if (count < 2 && start > 0)
                {
                    continue;  // Batch statistics of one pair are not defined for 1×1 maps.
                }

                using var scope = NewDisposeScope();
                var (pet, ct) = PairTensors.Batch(pairs, start, count, device);
                network.call(pet, ct);
            }

            for (var i = 0; i < norms.Length; i++)
            {
                if (seen[i] == 0)
                {
                    throw new InvalidOperationException($"Batch-normalisation layer {i} of {norms.Length} was not reached through call(): its statistics cannot be recalibrated.");
                }

                using var mean = sums[i].Mean / seen[i];
                using var variance = sums[i].Variance / seen[i];
                norms[i].running_mean!.copy_(mean);
                norms[i].running_var!.copy_(variance);
            }
        }
        finally
        {
            foreach (var hook in hooks)
            {
                hook.remove();
            }

            for (var i = 0; i < norms.Length; i++)
            {
                norms[i].momentum = momenta[i];
                sums[i].Mean.Dispose();
                sums[i].Variance.Dispose();
            }

            network.eval();
        }
    }

    /// <summary>Responder probabilities of the pairs (evaluation mode, no gradients).</summary>
    public static float[] PredictResponder(DerbyPairNet network, IReadOnlyList<PairInput> pairs, Device device, int batchSize = 16)
    {
        return Run(network, pairs, device, batchSize, (net, pet, ct) => nn.functional.softmax(net.call(pet, ct), 1)[.., 1..])
            .Select(row => row[0]).ToArray();
    }

    /// <summary>The 1024-d pair features of every pair (evaluation mode, no gradients), one array per pair.</summary>
    public static float[][] ExtractFeatures(DerbyPairNet network, IReadOnlyList<PairInput> pairs, Device device, int batchSize = 16)
    {
        return Run(network, pairs, device, batchSize, (net, pet, ct) => net.Features(pet, ct));
    }

    private static float[][] Run(DerbyPairNet network, IReadOnlyList<PairInput> pairs, Device device, int batchSize, Func<DerbyPairNet, Tensor, Tensor, Tensor> compute)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        network.to(device);
        network.eval();
        var rows = new List<float[]>(pairs.Count);
        using var noGrad = no_grad();
        for (var start = 0; start < pairs.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, pairs.Count - start);
            var (pet, ct) = PairTensors.Batch(pairs, start, count, device);
            var output = compute(network, pet, ct).cpu().contiguous();
            var values = output.data<float>().ToArray();
            var width = (int)output.shape[1];
            for (var i = 0; i < count; i++)
            {
                rows.Add(values.AsSpan(i * width, width).ToArray());
            }
        }

        return [.. rows];
    }
}
