using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Imaging.Tests.Pairs;

/// <summary>Hand-built axial grids, volumes and masks for the pair tests.</summary>
internal static class Grids
{
    public const string FrameOfReference = "1.2.826.0.1.3680043.10.543.99";

    public static readonly double[] Axial = [1, 0, 0, 0, 1, 0];

    /// <summary>An axial grid (rows along +y, columns along +x, slices along +z) whose first voxel centre is <paramref name="first"/>.</summary>
    public static SeriesGeometry Axial3(int columns, int rows, int slices, double pixel, double slice, double[] first, string? frame = FrameOfReference) =>
        new(rows, columns, slices, [pixel, pixel], slice, [.. Axial], [0, 0, 1], first, frame);

    public static float[] Volume(SeriesGeometry g, Func<int, int, int, double> value)
    {
        var v = new float[g.Slices * g.Rows * g.Columns];
        for (var k = 0; k < g.Slices; k++)
        {
            for (var r = 0; r < g.Rows; r++)
            {
                for (var c = 0; c < g.Columns; c++)
                {
                    v[(k * g.Rows + r) * g.Columns + c] = (float)value(c, r, k);
                }
            }
        }

        return v;
    }

    /// <summary>A mask over <paramref name="box"/> with the voxels for which <paramref name="inside"/> holds.</summary>
    public static LesionMask Mask(VoxelBox box, Func<int, int, int, bool> inside)
    {
        var values = new byte[box.Count];
        var i = 0;
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            for (var y = box.Y0; y <= box.Y1; y++)
            {
                for (var x = box.X0; x <= box.X1; x++)
                {
                    values[i++] = inside(x, y, z) ? (byte)1 : (byte)0;
                }
            }
        }

        return new LesionMask(box, values);
    }

    public static float At(float[] volume, SeriesGeometry g, int c, int r, int k) => volume[(k * g.Rows + r) * g.Columns + c];
}
