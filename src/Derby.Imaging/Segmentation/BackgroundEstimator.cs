namespace Derby.Imaging.Segmentation;

/// <summary>How the SUVs of the box's shell make the background.</summary>
public enum BackgroundEstimator
{
    /// <summary>The median: robust to a lesion or a hot organ that reaches the shell.</summary>
    Median,

    /// <summary>The mean.</summary>
    Mean,
}
