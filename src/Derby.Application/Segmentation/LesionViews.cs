using Derby.Domain;
using Derby.Imaging.Segmentation;

namespace Derby.Application.Segmentation;

/// <summary>What a physician asks for: a box on a PET series of the patient, and optionally a threshold set by hand.</summary>
/// <param name="PetSeriesId">The patient's PET series.</param>
/// <param name="Box">Voxel indices of the PET series (sorted slice order), corners inclusive.</param>
/// <param name="FixedThresholdSuv">A threshold (SUV) instead of the adaptive one.</param>
/// <param name="ReplacesLesionId">The lesion this request redoes; discarded when this one is accepted.</param>
public sealed record LesionRequest(Guid PetSeriesId, VoxelBox Box, double? FixedThresholdSuv = null, Guid? ReplacesLesionId = null);

/// <summary>A lesion as pages and the API show it.</summary>
public sealed record LesionView(
    Guid Id,
    Guid PatientId,
    Guid PetSeriesId,
    VoxelBox Box,
    LesionStatus Status,
    string? Error,
    double? FixedThresholdSuv,
    int Voxels,
    double MtvMl,
    double SuvMax,
    double SuvMean,
    double SuvPeak,
    double Tlg,
    double ThresholdSuv,
    double BackgroundSuv,
    int Iterations,
    bool Converged,
    IReadOnlyList<double> ThresholdHistory,
    IReadOnlyList<string> Warnings,
    (int X, int Y, int Z) SuvMaxVoxel,
    string SettingsJson,
    Guid? ReplacesLesionId,
    string RequestedBy,
    DateTime RequestedUtc,
    DateTime? SegmentedUtc,
    string? DecidedBy,
    DateTime? DecidedUtc,
    int PairCount);

/// <summary>
/// One stored 2.5D pair as the viewer shows it: the PET crop, the three CT crops and the lesion's mask on the same crop
/// (1 inside), all <c>CropSize</c>² row-major, values normalised to [0, 1] as the networks see them.
/// </summary>
/// <param name="ImagePairId">The pair's row (the key of its Grad-CAM maps and features).</param>
/// <param name="Index">Position in its pair set.</param>
/// <param name="PetSlice">PET slice index; crop pixel (i, j) is PET voxel (CropX0 + i, CropY0 + j) on it.</param>
/// <param name="CtSlices">The CT slice of each CT channel (the nearest in the middle).</param>
/// <param name="RoiArea">Mask voxels on the PET slice: the pair's weight in the vote.</param>
/// <param name="CropX0">PET column of the crop's first pixel (negative where the crop is padded).</param>
/// <param name="CropY0">PET row of the crop's first pixel (negative where the crop is padded).</param>
/// <param name="Pet">PET crop.</param>
/// <param name="Ct">CT crops, channel-major (3 × CropSize²).</param>
/// <param name="Mask">The lesion mask on the crop.</param>
public sealed record PairCropView(long ImagePairId, int Index, int PetSlice, int[] CtSlices, int RoiArea, int CropX0, int CropY0, float[] Pet, float[] Ct, byte[] Mask);

/// <summary>The newest pair set of a lesion, every pair with its crops.</summary>
public sealed record LesionPairsView(Guid LesionId, Guid PairSetId, int CropSize, IReadOnlyList<PairCropView> Pairs);
