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
