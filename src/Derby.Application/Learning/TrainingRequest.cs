namespace Derby.Application.Learning;

/// <summary>
/// Settings of a network training, stored with the model as JSON.
/// </summary>
/// <param name="Epochs">Most epochs (early stopping may end sooner); 1..500.</param>
/// <param name="BatchSize">Pairs per step; 0 takes 32 (see ADR 16: at 8 the CPU runs did not learn).</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Seed">Seeds the weights, the shuffling and the validation split.</param>
/// <param name="CropSize">Side of the crops the network sees; the stored pairs (64 by default) are resampled to it. 16..256.</param>
/// <param name="Device">"cpu", "cuda", "cuda:N" or "auto".</param>
/// <param name="Patience">Epochs without a better validation loss before stopping.</param>
/// <param name="ValidationFraction">Share of the patients held out for validation (by patient, stratified by label).</param>
/// <param name="Augment">Turn each training pair by one of the square's eight symmetries, drawn from the seed.</param>
public sealed record TrainingRequest(
    int Epochs = 30,
    int BatchSize = 0,
    double LearningRate = 1e-3,
    long Seed = 42,
    int CropSize = 64,
    string Device = "auto",
    int Patience = 5,
    double ValidationFraction = 0.2,
    bool Augment = true);
