namespace Derby.Statistics;

/// <summary>A Kaplan-Meier curve with its median survival and the median's confidence interval.</summary>
/// <param name="Group">The group's value as written in the data, or null for an ungrouped curve.</param>
/// <param name="Count">Subjects.</param>
/// <param name="Events">Events.</param>
/// <param name="Median">Median survival; null when the curve never reaches 0.5 (R's NA).</param>
/// <param name="MedianLower">Lower confidence limit of the median (where the lower confidence curve reaches 0.5), null where R gives NA.</param>
/// <param name="MedianUpper">Upper confidence limit of the median, null where R gives NA.</param>
/// <param name="Points">One point per distinct event time.</param>
public sealed record KaplanMeierCurve(string? Group, int Count, int Events, double? Median, double? MedianLower, double? MedianUpper,
    IReadOnlyList<SurvivalPoint> Points);
