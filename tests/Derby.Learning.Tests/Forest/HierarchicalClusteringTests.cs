using System.Globalization;
using System.Text.Json.Nodes;
using Derby.Learning.Forest;

namespace Derby.Learning.Tests.Forest;

public sealed class HierarchicalClusteringTests
{
    private static double[,] RandomMatrix(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var m = new double[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                // Three row groups with different means, so the tree has structure.
                m[i, j] = ForestData.Normal(random) + (i % 3) * 1.5 * (j % 2 == 0 ? 1 : -1);
            }
        }

        return m;
    }

    private static JsonNode Scipy(double[,] m, bool transpose, string metric)
    {
        var path = Path.GetTempFileName();
        try
        {
            var (rows, columns) = transpose ? (m.GetLength(1), m.GetLength(0)) : (m.GetLength(0), m.GetLength(1));
            var lines = Enumerable.Range(0, rows).Select(i => string.Join(',', Enumerable.Range(0, columns)
                .Select(j => (transpose ? m[j, i] : m[i, j]).ToString("R", CultureInfo.InvariantCulture))));
            File.WriteAllLines(path, lines);
            return JsonNode.Parse(PythonPeer.Run("scipy_linkage.py", null, path, metric))!;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertSame(JsonNode scipy, Dendrogram ours)
    {
        var linkage = scipy["linkage"]!.AsArray();
        Assert.Equal(linkage.Count, ours.Merges.Count);
        for (var i = 0; i < linkage.Count; i++)
        {
            var row = linkage[i]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var merge = ours.Merges[i];
            Assert.Equal((int)row[0], merge.Left);
            Assert.Equal((int)row[1], merge.Right);
            Assert.Equal(row[2], merge.Height, 1e-9);
            Assert.Equal((int)row[3], merge.Size);
        }

        Assert.Equal(scipy["leaves"]!.AsArray().Select(v => v!.GetValue<int>()), ours.LeafOrder);
    }

    [Theory]
    [InlineData(ClusterDistance.Euclidean, "euclidean")]
    [InlineData(ClusterDistance.Correlation, "correlation")]
    public void Rows_MatchScipyAverageLinkage(ClusterDistance distance, string metric)
    {
        var m = RandomMatrix(60, 12, seed: 17);
        AssertSame(Scipy(m, transpose: false, metric), HierarchicalClustering.ClusterRows(m, distance));
    }

    [Fact]
    public void Columns_MatchScipyOnTheTransposedMatrix()
    {
        var m = RandomMatrix(25, 40, seed: 23);
        AssertSame(Scipy(m, transpose: true, "euclidean"), HierarchicalClustering.ClusterColumns(m));
    }

    [Fact]
    public void SmallCase_ByHand()
    {
        // Points 0, 1, 5 on a line: merge {0,1} at 1, then with 5 at the mean of 5 and 4 = 4.5.
        var result = HierarchicalClustering.ClusterRows(new double[,] { { 5 }, { 0 }, { 1 } });
        Assert.Equal([new ClusterMerge(1, 2, 1, 2), new ClusterMerge(0, 3, 4.5, 3)], result.Merges);
        Assert.Equal([0, 1, 2], result.LeafOrder);
        Assert.Contains("at least 2 items", Assert.Throws<ArgumentException>(() => HierarchicalClustering.ClusterRows(new double[1, 3])).Message);
    }
}
