namespace Derby.Statistics.Tests;

public sealed class RadixSortTests
{
    [Fact]
    public void Sort_OrdersLikeArraySort_WithNegativesZerosInfinitiesAndTies()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 20000).Select(i => (i % 7) switch
        {
            0 => Math.Round(random.NextDouble() * 10 - 5, 1),
            1 => -random.NextDouble() * 1e300,
            2 => random.NextDouble() * 1e-300,
            3 => i % 2 == 0 ? 0.0 : -0.0,
            4 => i % 3 == 0 ? double.PositiveInfinity : double.NegativeInfinity,
            _ => random.NextDouble() * 2 - 1,
        }).ToArray();
        var expected = (double[])values.Clone();
        Array.Sort(expected);

        RadixSort.Sort(values);

        // -0.0 and 0.0 may come in either order; they compare equal.
        var firstDifference = Enumerable.Range(0, values.Length).FirstOrDefault(i => !(expected[i] == values[i]), -1);
        Assert.True(firstDifference < 0, $"index {firstDifference}: expected {expected[Math.Max(firstDifference, 0)]:R}, got {values[Math.Max(firstDifference, 0)]:R}");
    }
}
