namespace Derby.Statistics.Tests;

/// <summary>Numeric comparison at an explicit precision: |actual - expected| &lt;= tolerance * max(1, |expected|).</summary>
internal static class Close
{
    public const double R = 1e-6;

    public static void Equal(double expected, double actual, double tolerance = R, string what = "")
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{what}: expected {expected}, got {actual}");
            return;
        }

        var limit = tolerance * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= limit,
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(actual - expected):G3} > {limit:G3})");
    }

    public static void Equal(double? expected, double? actual, double tolerance = R, string what = "")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{what}: expected {expected?.ToString() ?? "NA"}, got {actual?.ToString() ?? "NA"}");
            return;
        }

        Equal(expected.Value, actual.Value, tolerance, what);
    }

    public static void All(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance = R, string what = "")
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} values, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            Equal(expected[i], actual[i], tolerance, $"{what}[{i}]");
        }
    }
}
