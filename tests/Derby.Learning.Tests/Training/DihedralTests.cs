using Derby.Learning.Training;

namespace Derby.Learning.Tests.Training;

public sealed class DihedralTests
{
    // 3 x 3 plane, row-major (x fastest):   1 2 3 / 4 5 6 / 7 8 9
    private static readonly float[] Plane = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    [Theory]
    [InlineData(0, new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]   // identity
    [InlineData(1, new float[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 })]   // mirror x (left-right)
    [InlineData(2, new float[] { 7, 8, 9, 4, 5, 6, 1, 2, 3 })]   // mirror y (up-down)
    [InlineData(3, new float[] { 9, 8, 7, 6, 5, 4, 3, 2, 1 })]   // half turn
    [InlineData(4, new float[] { 1, 4, 7, 2, 5, 8, 3, 6, 9 })]   // transpose
    [InlineData(5, new float[] { 7, 4, 1, 8, 5, 2, 9, 6, 3 })]   // quarter turn clockwise (numpy rot90(a, -1))
    [InlineData(6, new float[] { 3, 6, 9, 2, 5, 8, 1, 4, 7 })]   // quarter turn anticlockwise (numpy rot90(a, 1))
    [InlineData(7, new float[] { 9, 6, 3, 8, 5, 2, 7, 4, 1 })]   // anti-transpose
    public void Apply_TurnsA3x3Plane_AsTheSquaresSymmetriesDo(int k, float[] expected)
    {
        var turned = new float[9];
        Dihedral.Apply(Plane, turned, 3, k);
        Assert.Equal(expected, turned);
    }

    [Fact]
    public void Apply_GivesEightDistinctPermutations_OfAnAsymmetricPlane()
    {
        var size = 5;
        var plane = Enumerable.Range(0, size * size).Select(i => (float)i).ToArray();
        var images = new HashSet<string>();
        for (var k = 0; k < Dihedral.Count; k++)
        {
            var turned = new float[size * size];
            Dihedral.Apply(plane, turned, size, k);
            Assert.Equal(plane.Order(), turned.Order());
            images.Add(string.Join(",", turned));
        }

        Assert.Equal(Dihedral.Count, images.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)]
    public void Apply_RefusesASymmetryOutside0To7(int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Dihedral.Apply(Plane, new float[9], 3, k));

    [Fact]
    public void Apply_RefusesPlanesTooSmallForTheSize() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Dihedral.Apply(Plane, new float[4], 3, 1));
}
