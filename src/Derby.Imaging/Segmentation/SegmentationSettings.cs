using System.Text.Json.Serialization;

namespace Derby.Imaging.Segmentation;

/// <summary>
/// How <see cref="LesionSegmenter"/> segments a lesion in its box. The defaults are the study's; the physician may set
/// <see cref="FixedThresholdSuv"/> to override the adaptive threshold.
/// </summary>
public sealed record SegmentationSettings
{
    /// <summary>The study's settings.</summary>
    public static SegmentationSettings Default { get; } = new();

    /// <summary>
    /// f in T = B + f · (S − B), S the mean SUV of the current region, B the background. Default 0.56: the edge of a
    /// blurred uniform sphere lies near half its background-corrected contrast, but the region's mean understates the
    /// sphere's SUV (its rim is blurred), the more so the smaller it is; 0.56 puts the MTV of spheres of 2-8 cm within
    /// about 10% at 4 mm voxels and 5.5-7 mm FWHM (docs/decisions/0013-lesion-segmentation.md has the calibration).
    /// </summary>
    public double ThresholdFraction { get; init; } = 0.56;

    /// <summary>Thickness in voxels of the box's outer layer whose SUV is the background. Default 2.</summary>
    public int ShellThickness { get; init; } = 2;

    /// <summary>How the shell's SUVs make the background. Default <see cref="BackgroundEstimator.Median"/>.</summary>
    public BackgroundEstimator Background { get; init; } = BackgroundEstimator.Median;

    /// <summary>The iteration stops when the threshold changes by less than this, SUV. Default 0.001.</summary>
    public double ToleranceSuv { get; init; } = 0.001;

    /// <summary>Most threshold updates before giving up (the result then says not converged). Default 50.</summary>
    public int MaxIterations { get; init; } = 50;

    /// <summary>
    /// The physician's threshold, SUV: the region is grown from the hottest voxel over voxels ≥ this value, with no
    /// iteration. Default null (adaptive).
    /// </summary>
    public double? FixedThresholdSuv { get; init; }

    /// <summary>
    /// With the adaptive threshold, the box holds no lesion unless its hottest voxel reaches this multiple of a positive
    /// background. Default 1.5.
    /// </summary>
    public double MinimumPeakToBackground { get; init; } = 1.5;

    /// <summary>
    /// With the adaptive threshold, the box holds no lesion unless its hottest voxel exceeds the background by this many
    /// robust standard deviations of the shell (1.4826 × median absolute deviation). Default 3.
    /// </summary>
    public double MinimumPeakSigmas { get; init; } = 3;

    /// <summary>
    /// With the adaptive threshold, T is never below B + this many robust standard deviations of the shell: in a
    /// low-contrast lesion the adaptive T comes close to the background and the region would leak through noise. Default 2.
    /// </summary>
    public double NoiseFloorSigmas { get; init; } = 2;

    /// <summary>
    /// FWHM, mm, of a Gaussian with which a copy of the box (reading the grid around it) is smoothed for the adaptive
    /// threshold: the region then grows on that copy (its hottest voxel, the shell's noise σ, the source, the emptiness
    /// test and T), while SUVmax, SUVmean, SUVpeak, TLG and the reported background stay on the raw SUVs. Not used with
    /// <see cref="FixedThresholdSuv"/> (the physician's threshold applies to the SUVs the viewer shows). Default 0: no
    /// smoothing. Measured on the synthetic study and the analytic spheres, it did not meet the study's numbers on more
    /// lesions than the default (docs/decisions/0013-lesion-segmentation.md); it stays an option. Left out of the JSON
    /// when 0, so stored settings and their input hashes are those of before the option existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double SmoothingFwhmMm { get; init; }

    /// <summary>
    /// The source S is the mean of the region's voxels at or above B + this fraction of (peak − B), peak the hottest voxel
    /// of the image the region grows on (after Nestle et al., J Nucl Med 2005;46:1342, who take the mean of the voxels
    /// above 70% of the maximum): a cold necrotic core and the blurred rim weigh less in it than in the whole region's
    /// mean. Default 0: the whole region's mean. Left out of the JSON when 0, as <see cref="SmoothingFwhmMm"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double SourceFraction { get; init; }

    /// <summary>Which holes of the grown region become lesion. Default <see cref="HoleFilling.VolumeAndSlices"/>.</summary>
    public HoleFilling HoleFilling { get; init; } = HoleFilling.VolumeAndSlices;

    /// <exception cref="ArgumentException">A setting out of its range, with the reason.</exception>
    public void Validate()
    {
        if (!(ThresholdFraction > 0 && ThresholdFraction < 1))
        {
            throw new ArgumentException($"ThresholdFraction is {ThresholdFraction}; it must be between 0 and 1 (exclusive)");
        }

        if (ShellThickness < 1)
        {
            throw new ArgumentException($"ShellThickness is {ShellThickness}; it must be at least 1 voxel");
        }

        if (!(ToleranceSuv > 0) || MaxIterations < 1)
        {
            throw new ArgumentException("ToleranceSuv must be positive and MaxIterations at least 1");
        }

        if (FixedThresholdSuv is { } t && !double.IsFinite(t))
        {
            throw new ArgumentException($"FixedThresholdSuv is {t}; it must be a finite SUV");
        }

        if (!double.IsFinite(MinimumPeakToBackground) || !double.IsFinite(MinimumPeakSigmas) || !double.IsFinite(NoiseFloorSigmas)
            || MinimumPeakToBackground < 0 || MinimumPeakSigmas < 0 || NoiseFloorSigmas < 0)
        {
            throw new ArgumentException("MinimumPeakToBackground, MinimumPeakSigmas and NoiseFloorSigmas must be finite and not negative");
        }

        if (!(SmoothingFwhmMm >= 0 && SmoothingFwhmMm <= 20))
        {
            throw new ArgumentException($"SmoothingFwhmMm is {SmoothingFwhmMm}; it must be between 0 and 20 mm");
        }

        if (!(SourceFraction >= 0 && SourceFraction < 1))
        {
            throw new ArgumentException($"SourceFraction is {SourceFraction}; it must be at least 0 and below 1");
        }
    }
}
