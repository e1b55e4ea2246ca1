namespace Derby.Imaging.Segmentation;

/// <summary>
/// A lesion's voxels in a series' grid, stored inside its box only: <see cref="Values"/> has one byte per voxel of
/// <see cref="Box"/>, z-major then row then column (index ((z - Z0) · Height + (y - Y0)) · Width + (x - X0)), 1 inside and
/// 0 outside.
/// </summary>
public sealed class LesionMask
{
    public LesionMask(VoxelBox box, byte[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.LongLength != box.Count)
        {
            throw new ArgumentException($"A mask of box {box} needs {box.Count} values, not {values.LongLength}", nameof(values));
        }

        Box = box;
        Values = values;
    }

    public VoxelBox Box { get; }

    public byte[] Values { get; }

    public bool this[int x, int y, int z] =>
        Box.Contains(x, y, z) && Values[((z - Box.Z0) * Box.Height + (y - Box.Y0)) * Box.Width + (x - Box.X0)] != 0;

    public int Count
    {
        get
        {
            var n = 0;
            foreach (var v in Values)
            {
                n += v != 0 ? 1 : 0;
            }

            return n;
        }
    }

    /// <summary>Voxels inside the mask on slice <paramref name="z"/> (the pair's ROI area, in voxels).</summary>
    public int CountOnSlice(int z)
    {
        if (z < Box.Z0 || z > Box.Z1)
        {
            return 0;
        }

        var plane = Box.Width * Box.Height;
        var n = 0;
        foreach (var v in Values.AsSpan((z - Box.Z0) * plane, plane))
        {
            n += v != 0 ? 1 : 0;
        }

        return n;
    }
}
