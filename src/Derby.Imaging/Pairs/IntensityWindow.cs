namespace Derby.Imaging.Pairs;

/// <summary>
/// Clip to [min, max] and scale to [0, 1], in single precision (the precision the crops are stored in). The scale is
/// 1 / (max − min), computed once, and values are multiplied by it: a division per pixel costs more than the bilinear
/// interpolation around it; the clip is branch-free (random tissue values would mispredict branches). Every
/// normalisation goes through here, so <see cref="PairSettings.NormalizeHu"/> and the pair builder agree to the bit.
/// </summary>
internal readonly struct IntensityWindow
{
    private readonly float min;
    private readonly float scale;
    private readonly double low;
    private readonly double width;

    public IntensityWindow(double min, double max)
    {
        this.min = (float)min;
        low = min;
        width = max - min;
        scale = (float)(1 / (max - min));
        // So that max itself (and all above it) reaches 1 after rounding.
        if (((float)max - this.min) * scale < 1f)
        {
            scale = MathF.BitIncrement(scale);
        }
    }

    /// <summary>0 at or below the window (and for NaN: MaxNumber prefers the number), 1 at or above it, linear between.</summary>
    public float Normalize(float value) => float.MinNumber(float.MaxNumber((value - min) * scale, 0f), 1f);

    /// <summary>The value a normalised one stands for (inside the window; clipped values come back as its ends).</summary>
    public double Denormalize(float normalized) => low + (normalized * width);
}
