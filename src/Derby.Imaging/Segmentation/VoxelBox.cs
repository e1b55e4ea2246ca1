namespace Derby.Imaging.Segmentation;

/// <summary>
/// A box of voxels in a series' grid, corners inclusive: X = column, Y = row, Z = slice in the sorted order of
/// <see cref="Series.SeriesAssembly.Slices"/>. The physician draws it on PET around one lesion.
/// </summary>
public readonly record struct VoxelBox(int X0, int Y0, int Z0, int X1, int Y1, int Z1)
{
    public int Width => X1 - X0 + 1;

    public int Height => Y1 - Y0 + 1;

    public int Depth => Z1 - Z0 + 1;

    public long Count => (long)Width * Height * Depth;

    public bool Contains(int x, int y, int z) => x >= X0 && x <= X1 && y >= Y0 && y <= Y1 && z >= Z0 && z <= Z1;

    /// <summary>Corners in order and inside a grid of <paramref name="columns"/> × <paramref name="rows"/> × <paramref name="slices"/>.</summary>
    /// <exception cref="ArgumentException">A corner is outside the grid or the corners are reversed, with the reason.</exception>
    public void Validate(int columns, int rows, int slices)
    {
        if (X0 > X1 || Y0 > Y1 || Z0 > Z1)
        {
            throw new ArgumentException($"The box {this} has a first corner after its last one (x0 <= x1, y0 <= y1, z0 <= z1 are required)");
        }

        if (X0 < 0 || Y0 < 0 || Z0 < 0 || X1 >= columns || Y1 >= rows || Z1 >= slices)
        {
            throw new ArgumentException($"The box {this} is outside the series' grid of {columns} columns × {rows} rows × {slices} slices (indices start at 0)");
        }
    }

    /// <summary>Parses "x0,y0,z0,x1,y1,z1".</summary>
    /// <exception cref="FormatException">Not six integers separated by commas.</exception>
    public static VoxelBox Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 6 || !parts.All(p => int.TryParse(p, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"'{text}' is not a box: expected six integers x0,y0,z0,x1,y1,z1 (voxel indices)");
        }

        var v = parts.Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new VoxelBox(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    public override string ToString() => $"({X0},{Y0},{Z0})-({X1},{Y1},{Z1})";
}
