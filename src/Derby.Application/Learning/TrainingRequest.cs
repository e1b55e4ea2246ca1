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
/// <param name="Field">
/// Side, in the stored pairs' pixels, of the centred square the network sees (the lesion is at the crop's centre), resampled
/// to <paramref name="CropSize"/>; 0 = the whole stored crop. At the default 64-pixel crop of a 4-4.5 mm PET the whole crop
/// spans 26-29 cm of the abdomen, where a 2-6 cm lesion is a few pixels: a field of 32 (13-14 cm) keeps every lesion of
/// up to 6 cm and shows the network little else (ADR 16).
/// </param>
/// <param name="Auxiliary">
/// Weight of the auxiliary, self-supervised target (0 = off): a head on the pair feature also learns each pair's lesion
/// descriptors (PET and CT means of the lesion's disc, its inner half and rim, PET spread, area), computed from the pair
/// itself, so the feature the mixture sees describes the lesion, not only the labels of 80-odd patients (ADR 16). 0..100.
/// </param>
/// <param name="AgainstSurroundings">
/// The network sees each pair against the lesion's surroundings (<see cref="Derby.Imaging.Pairs.SurroundingsReference"/>:
/// PET as the ratio to, CT as the difference from, the median of a ring around the lesion, in a liver window) instead of
/// the stored absolute SUV and HU, so that a site's calibration and a patient's liver do not shift its features (ADR 16).
/// </param>
public sealed record TrainingRequest(
    int Epochs = 30,
    int BatchSize = 0,
    double LearningRate = 1e-3,
    long Seed = 42,
    int CropSize = 64,
    string Device = "auto",
    int Patience = 5,
    double ValidationFraction = 0.2,
    bool Augment = true,
    int Field = 0,
    double Auxiliary = 0,
    bool AgainstSurroundings = false);
