namespace Derby.Learning.Training;

/// <summary>What a training run did.</summary>
/// <param name="EpochLosses">Mean class-weighted cross-entropy of each epoch.</param>
/// <param name="ClassWeights">Cross-entropy weights of class 0 and 1: n / (2 · n_c), as scikit-learn's "balanced".</param>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="AuxiliaryLosses">Mean squared error of the z-scored descriptors per epoch (empty when the auxiliary head is off).</param>
public sealed record TrainingReport(IReadOnlyList<double> EpochLosses, IReadOnlyList<double> ClassWeights, int Steps, IReadOnlyList<double> AuxiliaryLosses);
