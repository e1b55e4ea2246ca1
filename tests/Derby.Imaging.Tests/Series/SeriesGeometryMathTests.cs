using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Imaging.Tests.Series;

/// <summary>World (LPS mm) to voxel indices and back, against values worked out by hand.</summary>
public sealed class SeriesGeometryMathTests
{
    // Axial, like the synthetic PET: 48 × 48 × 25, 8 mm pixels (rows 8, columns 8), 4 mm slices, first voxel at (-188, -188, -62).
    private static readonly SeriesGeometry Axial = new(48, 48, 25, [8, 8], 4, [1, 0, 0, 0, 1, 0], [0, 0, 1], [-188, -188, -62], null);

    // Oblique: row direction (cos 30°, sin 30°, 0), column direction (0, 0, -1); normal = row × column = (-sin 30°, cos 30°, 0).
    // Unequal spacings (rows 2 mm apart, columns 3 mm apart), 5 mm slices, first voxel at (10, 20, 30).
    private static readonly double C = Math.Cos(Math.PI / 6), S = Math.Sin(Math.PI / 6);
    private static readonly SeriesGeometry Oblique = new(64, 32, 10, [2, 3], 5, [C, S, 0, 0, 0, -1], [-S, C, 0], [10, 20, 30], null);

    [Fact]
    public void WorldToVoxel_GivesColumnRowSlice_ForAnAxialSeries()
    {
        // (-188 + 8·3, -188 + 8·7, -62 + 4·11) = (-164, -132, -18) is voxel (3, 7, 11).
        var (x, y, z) = SeriesGeometryMath.WorldToVoxel(Axial, [-164, -132, -18]);

        Assert.Equal(3, x, 12);
        Assert.Equal(7, y, 12);
        Assert.Equal(11, z, 12);
    }

    [Fact]
    public void WorldToVoxel_UsesColumnSpacingAlongRows_ForAnObliqueSeriesWithUnequalSpacing()
    {
        // Voxel (x 4, y 6, z 2): 10 + 4·3·(C, S, 0) + 6·2·(0, 0, −1) + 2·5·(−S, C, 0)
        //   = (10 + 12C − 10S, 20 + 12S + 10C, 30 − 12).
        double[] world = [10 + 12 * C - 10 * S, 20 + 12 * S + 10 * C, 18];

        var (x, y, z) = SeriesGeometryMath.WorldToVoxel(Oblique, world);

        Assert.Equal(4, x, 10);
        Assert.Equal(6, y, 10);
        Assert.Equal(2, z, 10);
        Assert.Equal(world, SeriesGeometryMath.VoxelToWorld(Oblique, 4, 6, 2), new ToleranceComparer(1e-10));
    }

    [Fact]
    public void VoxelToWorld_IsTheInverseOfWorldToVoxel_ForFractionalIndices()
    {
        var world = SeriesGeometryMath.VoxelToWorld(Oblique, 1.25, 30.5, 7.75);
        var (x, y, z) = SeriesGeometryMath.WorldToVoxel(Oblique, world);

        Assert.Equal(1.25, x, 10);
        Assert.Equal(30.5, y, 10);
        Assert.Equal(7.75, z, 10);
    }

    [Fact]
    public void BoxAround_TakesNearestVoxelsAndOrdersCorners_WhenDrawnFromBottomRightToTopLeft()
    {
        // Rectangle corners drawn from (x 10.4, y 12.6) to (x 5.2, y 3.9) on slice 8; last slice set at 10.2 (nearest 10).
        var box = SeriesGeometryMath.BoxAround(Axial,
        [
            SeriesGeometryMath.VoxelToWorld(Axial, 10.4, 12.6, 8),
            SeriesGeometryMath.VoxelToWorld(Axial, 5.2, 3.9, 8),
            SeriesGeometryMath.VoxelToWorld(Axial, 7, 7, 10.2),
        ]);

        Assert.Equal(new VoxelBox(5, 4, 8, 10, 13, 10), box);
    }

    [Fact]
    public void BoxAround_ClipsToTheGrid_WhenTheRectangleCrossesTheEdge()
    {
        var box = SeriesGeometryMath.BoxAround(Axial, [[-300, -190, -62], [-140, -140, -50]]);

        // x from −14 (clipped to 0) to 6; y from −0.25 (0) to 6; z from 0 to 3.
        Assert.Equal(new VoxelBox(0, 0, 0, 6, 6, 3), box);
    }

    [Fact]
    public void BoxAround_Throws_WhenTheBoxIsOutsideTheGrid()
    {
        Assert.Throws<ArgumentException>(() => SeriesGeometryMath.BoxAround(Axial, [[500, 500, 500]]));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
