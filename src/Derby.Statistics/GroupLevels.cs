using System.Globalization;

namespace Derby.Statistics;

/// <summary>Group labels in the order R's <c>factor()</c> gives them.</summary>
internal static class GroupLevels
{
    /// <summary>Distinct values, in numeric order when all are numbers (as R sorts a numeric column), else ordinal text order.</summary>
    public static IReadOnlyList<string> Of(IReadOnlyList<string> groups)
    {
        var distinct = groups.Distinct().ToList();
        var numeric = distinct.All(g => double.TryParse(g, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return numeric
            ? distinct.OrderBy(g => double.Parse(g, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList()
            : distinct.OrderBy(g => g, StringComparer.Ordinal).ToList();
    }
}
