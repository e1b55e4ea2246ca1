namespace Derby.Imaging.Pairs;

/// <summary>
/// Clip to [<see cref="Min"/>, <see cref="Max"/>] and scale to [0, 1]. The scale is 1 / (max − min), computed once, and
/// values are multiplied by it (a division per pixel costs more than the bilinear interpolation around it); every
/// normalisation goes through here, so <see cref="PairSettings.NormalizeHu"/> and the pair builder agree to the bit.
/// </summary>
internal readonly struct IntensityWindow(double min, double max)
{
    private readonly double scale = 1 / (max - min);

    public double Min { get; } = min;

    public double Max { get; } = max;

    public float Normalize(double value)
    {
        if (double.IsNaN(value) || value <= Min)
        {
            return 0f;
        }

        return value >= Max ? 1f : (float)((value - Min) * scale);
    }
}
