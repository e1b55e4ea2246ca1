namespace Derby.Imaging.Segmentation;

/// <summary>
/// One lesion segmented in its box by <see cref="LesionSegmenter"/>: the mask and its PET measures. An empty box gives
/// <see cref="Voxels"/> 0, zero measures (SUVmax and its voxel still reported when the box has finite voxels) and a warning.
/// </summary>
/// <param name="Box">The box the physician drew.</param>
/// <param name="Mask">The lesion's voxels (holes filled as the settings say).</param>
/// <param name="Voxels">Voxels in the mask.</param>
/// <param name="MtvMl">Metabolic tumour volume: voxels × column spacing × row spacing × slice spacing, ml.</param>
/// <param name="SuvMax">Hottest voxel of the lesion (the seed).</param>
/// <param name="SuvMaxVoxel">Where it is: column, row, slice of the series' grid.</param>
/// <param name="SuvMean">Mean SUV over the mask's finite voxels.</param>
/// <param name="SuvPeak">Mean SUV within a 1 cm³ sphere (radius 6.2035 mm, voxels whose centre is inside) centred on the lesion voxel where that mean is highest.</param>
/// <param name="Tlg">Total lesion glycolysis: <see cref="SuvMean"/> × <see cref="MtvMl"/>.</param>
/// <param name="Threshold">The threshold of the final region, SUV.</param>
/// <param name="Iterations">Threshold updates made (0 with a fixed threshold).</param>
/// <param name="Background">The shell's background SUV.</param>
/// <param name="Converged">The threshold settled within the tolerance (always true with a fixed threshold).</param>
/// <param name="ThresholdHistory">Every threshold tried, in order, the last being <see cref="Threshold"/>.</param>
/// <param name="Settings">The settings used.</param>
/// <param name="Warnings">What the physician should check, one sentence each.</param>
public sealed record LesionSegmentation(
    VoxelBox Box,
    LesionMask Mask,
    int Voxels,
    double MtvMl,
    double SuvMax,
    (int X, int Y, int Z) SuvMaxVoxel,
    double SuvMean,
    double SuvPeak,
    double Tlg,
    double Threshold,
    int Iterations,
    double Background,
    bool Converged,
    IReadOnlyList<double> ThresholdHistory,
    SegmentationSettings Settings,
    IReadOnlyList<string> Warnings);
