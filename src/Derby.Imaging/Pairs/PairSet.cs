using Derby.Imaging.Segmentation;

namespace Derby.Imaging.Pairs;

/// <summary>
/// All 2.5D pairs of one lesion, in ascending PET slice order, with the settings that made them and the grids they came
/// from. <see cref="PairSetFile"/> stores it.
/// </summary>
/// <param name="Settings">Crop size and intensity windows.</param>
/// <param name="Pet">The PET grid (the mask's grid and the crops' grid).</param>
/// <param name="Ct">The CT grid the CT channels were resampled from.</param>
/// <param name="MaskBox">The lesion mask's box in the PET grid.</param>
/// <param name="Pairs">One pair per PET slice with at least one mask voxel.</param>
public sealed record PairSet(PairSettings Settings, PairGridSummary Pet, PairGridSummary Ct, VoxelBox MaskBox, IReadOnlyList<PetCtPair> Pairs)
{
    /// <summary>Sum of the pairs' ROI areas (mask voxels over all slices).</summary>
    public long TotalRoiArea => Pairs.Sum(p => (long)p.RoiArea);
}
