namespace Derby.Learning.Forest;

/// <summary>A partial-dependence curve: the mean patient TRS with one feature set to each grid value for every pair.</summary>
/// <param name="Column">The feature.</param>
/// <param name="Grid">The feature values tried (quantiles of its training values, ascending, distinct).</param>
/// <param name="MeanScore">The mean over patients of the TRS at each grid value.</param>
public sealed record PartialDependenceCurve(string Column, IReadOnlyList<double> Grid, IReadOnlyList<double> MeanScore);

/// <summary>
/// Partial dependence of the patient-level TRS on one feature (the paper's Fig. 3D): for each grid value, set the
/// feature to that value in every pair, predict every pair, recompute each patient's TRS, and average over patients.
/// </summary>
public static class PartialDependence
{
    /// <summary>The curve of one feature.</summary>
    /// <param name="forest">The trained forest.</param>
    /// <param name="training">The training table: the grid is taken from the quantiles of its values of the column.</param>
    /// <param name="evaluated">The pairs whose patients are averaged (often the training table itself).</param>
    /// <param name="column">The feature's column name.</param>
    /// <param name="points">Grid points (≥ 2): quantiles at k / (points − 1), k = 0..points − 1 (linear interpolation,
    /// as numpy's default); repeated values are kept once.</param>
    /// <exception cref="ArgumentException">Unknown column, too few points, or tables whose columns are not the forest's.</exception>
    public static PartialDependenceCurve Compute(PairForest forest, PairTable training, PairTable evaluated, string column, int points = 20)
    {
        ArgumentNullException.ThrowIfNull(forest);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(evaluated);
        if (points < 2)
        {
            throw new ArgumentException($"points is {points}; a curve needs at least 2 grid points.", nameof(points));
        }

        var grid = Grid(training.Column(training.ColumnIndex(column)), points);
        var index = evaluated.ColumnIndex(column);
        var means = new double[grid.Length];
        for (var g = 0; g < grid.Length; g++)
        {
            var changed = evaluated.WithColumnValue(index, (float)grid[g]);
            var responses = TherapyResponseScore.Compute(changed, forest.PredictPairs(changed));
            means[g] = responses.Average(r => r.Score);
        }

        return new PartialDependenceCurve(column, grid, means);
    }

    /// <summary>Quantiles of <paramref name="values"/> at k / (points − 1), distinct, ascending.</summary>
    internal static double[] Grid(float[] values, int points)
    {
        var sorted = values.Select(v => (double)v).Order().ToArray();
        var grid = new List<double>();
        for (var k = 0; k < points; k++)
        {
            var position = (sorted.Length - 1) * (double)k / (points - 1);
            var lower = (int)Math.Floor(position);
            var upper = Math.Min(lower + 1, sorted.Length - 1);
            var value = sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
            // The forest sees float features: compare in float so that near-equal quantiles collapse.
            value = (float)value;
            if (grid.Count == 0 || value > grid[^1])
            {
                grid.Add(value);
            }
        }

        return grid.ToArray();
    }
}
