namespace Derby.Learning.Training;

/// <summary>
/// The eight symmetries of a square image (rotations by multiples of 90 degrees and reflections), used to augment the
/// training pairs: a lesion's uptake pattern says the same turned or mirrored, and every plane of one pair is turned alike,
/// so PET and CT stay registered.
/// </summary>
public static class Dihedral
{
    /// <summary>The number of symmetries: <c>k</c> in 0..7, 0 the identity.</summary>
    public const int Count = 8;

    /// <summary>
    /// Writes the S x S plane <paramref name="source"/> (row-major, x fastest) turned by symmetry <paramref name="k"/> into
    /// <paramref name="destination"/>: bit 2 of k transposes (x and y swap), then bit 0 mirrors x and bit 1 mirrors y.
    /// So k = 3 is a half turn and k = 5 and 6 are the two quarter turns.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k outside 0..7, or planes that do not hold S x S values.</exception>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, int size, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, Count - 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (source.Length < size * size || destination.Length < size * size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"Planes of {size} x {size} need {size * size} values; got {source.Length} and {destination.Length}.");
        }

        var transpose = (k & 4) != 0;
        var mirrorX = (k & 1) != 0;
        var mirrorY = (k & 2) != 0;
        var last = size - 1;
        for (var y = 0; y < size; y++)
        {
            var sy = mirrorY ? last - y : y;
            for (var x = 0; x < size; x++)
            {
                var sx = mirrorX ? last - x : x;
                destination[y * size + x] = transpose ? source[sx * size + sy] : source[sy * size + sx];
            }
        }
    }
}
