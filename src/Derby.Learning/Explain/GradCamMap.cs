namespace Derby.Learning.Explain;

/// <summary>One Grad-CAM map: <see cref="Height"/> × <see cref="Width"/> values in [0, 1], row-major (index y · Width + x).</summary>
/// <param name="Height">Rows (the input image's height).</param>
/// <param name="Width">Columns (the input image's width).</param>
/// <param name="Values">The map; all zero where the class evidence of the layer is nowhere positive.</param>
public sealed record GradCamMap(int Height, int Width, float[] Values)
{
    /// <summary>Value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y] => Values[(y * Width) + x];

    /// <summary>Column and row of the largest value (the first one in row-major order on ties).</summary>
    public (int X, int Y) Peak()
    {
        var best = 0;
        for (var i = 1; i < Values.Length; i++)
        {
            if (Values[i] > Values[best])
            {
                best = i;
            }
        }

        return (best % Width, best / Width);
    }
}
