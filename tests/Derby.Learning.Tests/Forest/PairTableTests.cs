using Derby.Learning.Forest;

namespace Derby.Learning.Tests.Forest;

public sealed class PairTableTests
{
    private static readonly string[] Columns = ["a", "b"];

    private static PairRow Row(string pair, int area = 10, params float[] features) =>
        new("P1", pair, area, features.Length == 0 ? [1f, 2f] : features);

    [Fact]
    public void Create_KeepsRowsColumnsAndAreas()
    {
        var table = PairTable.Create(Columns, [Row("x", 5, 1f, 2f), Row("y", 7, 3f, 4f) with { PatientKey = "P2" }]);
        Assert.Equal(2, table.Count);
        Assert.Equal(["P1", "P2"], table.Patients);
        Assert.Equal([3f, 4f], table.Features(1).ToArray());
        Assert.Equal([1f, 3f], table.Column(0));
        Assert.Equal([5, 7], table.RoiAreas);
    }

    [Fact]
    public void Create_RefusesRaggedRows()
    {
        var e = Assert.Throws<ArgumentException>(() => PairTable.Create(Columns, [Row("x"), Row("y", 10, 1f, 2f, 3f)]));
        Assert.Contains("Row 1 (pair 'y') has 3 features; the table has 2 columns", e.Message);
    }

    [Fact]
    public void Create_RefusesNaN()
    {
        var e = Assert.Throws<ArgumentException>(() => PairTable.Create(Columns, [Row("x", 10, 1f, float.NaN)]));
        Assert.Contains("NaN in column 'b'", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Create_RefusesNonPositiveAreas(int area)
    {
        var e = Assert.Throws<ArgumentException>(() => PairTable.Create(Columns, [Row("x", area)]));
        Assert.Contains($"ROI area {area}; the area must be a positive voxel count", e.Message);
    }

    [Fact]
    public void Create_RefusesDuplicatePairKeys()
    {
        var e = Assert.Throws<ArgumentException>(() => PairTable.Create(Columns, [Row("x"), Row("y"), Row("x")]));
        Assert.Contains("Pair key 'x' appears twice (rows 0 and 2)", e.Message);
    }

    [Fact]
    public void Create_RefusesDuplicateColumnsAndEmptyTables()
    {
        Assert.Contains("Column 'a' appears more than once",
            Assert.Throws<ArgumentException>(() => PairTable.Create(["a", "a"], [Row("x")])).Message);
        Assert.Contains("at least one row", Assert.Throws<ArgumentException>(() => PairTable.Create(Columns, [])).Message);
    }

    [Fact]
    public void SelectColumns_ProjectsByNameInTheGivenOrder()
    {
        var table = PairTable.Create(["a", "b", "c"], [Row("x", 10, 1f, 2f, 3f), Row("y", 20, 4f, 5f, 6f)]);
        var projected = table.SelectColumns(["c", "a"]);
        Assert.Equal(["c", "a"], projected.Columns);
        Assert.Equal([6f, 4f], projected.Features(1).ToArray());
        Assert.Equal(table.PairKeys, projected.PairKeys);
        Assert.Contains("no column 'z'", Assert.Throws<ArgumentException>(() => table.SelectColumns(["a", "z"])).Message);
    }
}
