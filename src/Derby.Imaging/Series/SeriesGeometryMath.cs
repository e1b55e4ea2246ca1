using Derby.Imaging.Segmentation;

namespace Derby.Imaging.Series;

/// <summary>
/// Patient coordinates (LPS, mm) to and from voxel indices of a <see cref="SeriesGeometry"/>: X column, Y row, Z slice in
/// the sorted order (ascending along the normal). Works for oblique orientations: indices are projections of the offset
/// from the first voxel's centre on the row direction, the column direction and the normal, divided by their spacings.
/// </summary>
public static class SeriesGeometryMath
{
    /// <summary>
    /// The continuous voxel index (X column, Y row, Z slice) of a patient position; integers are voxel centres.
    /// A point off the grid gives indices outside [0, size − 1].
    /// </summary>
    public static (double X, double Y, double Z) WorldToVoxel(SeriesGeometry geometry, double[] world)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(world);
        if (world.Length != 3)
        {
            throw new ArgumentException("A patient position has 3 coordinates", nameof(world));
        }

        var d = new[] { world[0] - geometry.FirstPosition[0], world[1] - geometry.FirstPosition[1], world[2] - geometry.FirstPosition[2] };
        var row = geometry.Orientation.AsSpan(0, 3);
        var column = geometry.Orientation.AsSpan(3, 3);
        // PixelSpacing is (between rows, between columns): moving along a row (next column) steps PixelSpacing[1].
        var x = Dot(d, row) / geometry.PixelSpacing[1];
        var y = Dot(d, column) / geometry.PixelSpacing[0];
        var z = geometry.SliceSpacing > 0 ? Dot(d, geometry.Normal) / geometry.SliceSpacing : 0;
        return (x, y, z);
    }

    /// <summary>The patient position (LPS, mm) of the centre of voxel (<paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/>); fractional indices allowed.</summary>
    public static double[] VoxelToWorld(SeriesGeometry geometry, double x, double y, double z)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var o = geometry.Orientation;
        var p = geometry.FirstPosition;
        var cx = x * geometry.PixelSpacing[1];
        var ry = y * geometry.PixelSpacing[0];
        var kz = z * geometry.SliceSpacing;
        return
        [
            p[0] + cx * o[0] + ry * o[3] + kz * geometry.Normal[0],
            p[1] + cx * o[1] + ry * o[4] + kz * geometry.Normal[1],
            p[2] + cx * o[2] + ry * o[5] + kz * geometry.Normal[2],
        ];
    }

    /// <summary>
    /// The smallest box of voxels holding the voxels nearest to each point (e.g. the corners of a rectangle drawn on a slice
    /// and the positions of its first and last slices), clipped to the grid.
    /// </summary>
    /// <exception cref="ArgumentException">No points, or the box lies wholly outside the grid.</exception>
    public static VoxelBox BoxAround(SeriesGeometry geometry, IEnumerable<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var indices = points.Select(p => WorldToVoxel(geometry, p)).ToList();
        if (indices.Count == 0)
        {
            throw new ArgumentException("A box needs at least one point", nameof(points));
        }

        static int Nearest(double v) => (int)Math.Round(v, MidpointRounding.AwayFromZero);
        int x0 = indices.Min(i => Nearest(i.X)), x1 = indices.Max(i => Nearest(i.X));
        int y0 = indices.Min(i => Nearest(i.Y)), y1 = indices.Max(i => Nearest(i.Y));
        int z0 = indices.Min(i => Nearest(i.Z)), z1 = indices.Max(i => Nearest(i.Z));
        if (x1 < 0 || y1 < 0 || z1 < 0 || x0 >= geometry.Columns || y0 >= geometry.Rows || z0 >= geometry.Slices)
        {
            throw new ArgumentException("The box lies outside the series' grid", nameof(points));
        }

        return new VoxelBox(
            Math.Max(0, x0), Math.Max(0, y0), Math.Max(0, z0),
            Math.Min(geometry.Columns - 1, x1), Math.Min(geometry.Rows - 1, y1), Math.Min(geometry.Slices - 1, z1));
    }

    private static double Dot(double[] a, ReadOnlySpan<double> b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
