namespace Derby.Learning.Training;

/// <summary>Settings of <see cref="DerbyTrainer.Train"/>.</summary>
/// <param name="Epochs">Passes over the training pairs.</param>
/// <param name="BatchSize">Pairs per step (at least 2: batch normalisation in training mode needs 2 values per channel).</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="WeightDecay">Adam's L2 weight decay.</param>
/// <param name="Seed">Seeds the shuffling and LibTorch's generator (dropout, stochastic depth).</param>
/// <param name="Augment">
/// Turn each training pair by one of the square's eight symmetries (<see cref="Dihedral"/>), drawn per pair and step from a
/// generator seeded with <paramref name="Seed"/>: the same seed gives the same draws.
/// </param>
/// <param name="RecalibrateBatchNorm">After training, recompute the batch-normalisation statistics on the training pairs (<see cref="DerbyTrainer.RecalibrateBatchNorm"/>).</param>
/// <param name="AuxiliaryWeight">
/// 0: off. Otherwise a linear head on the 1024-d pair feature also learns each pair's <see cref="PairDescriptors"/> (z-scored
/// over the training pairs) and its mean squared error, times this weight, is added to the cross-entropy: the feature then
/// describes the lesion as well as separating the labels. The head is dropped after training; the network is unchanged.
/// </param>
public sealed record TrainingOptions(int Epochs = 30, int BatchSize = 16, double LearningRate = 1e-3, double WeightDecay = 0.0, long Seed = 42, bool RecalibrateBatchNorm = true, bool Augment = false,
    double AuxiliaryWeight = 0.0);
