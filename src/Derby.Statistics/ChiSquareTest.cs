namespace Derby.Statistics;

/// <summary>Pearson's chi-square test of independence with the defaults of R's <c>chisq.test(table(row, col))</c>.</summary>
public static class ChiSquareTest
{
    /// <summary>
    /// sum((|O - E| - Y)^2 / E) with E = row total * column total / n, Y = min(0.5, |O - E|) (Yates) for a 2 x 2 table and 0
    /// otherwise; df = (r - 1)(c - 1).
    /// </summary>
    public static ChiSquareResult Compute(double[,] table)
    {
        int r = table.GetLength(0), c = table.GetLength(1);
        if (r < 2 || c < 2)
        {
            throw new StatisticsException($"The chi-square test needs at least a 2 x 2 table (got {r} x {c}).");
        }

        var rows = new double[r];
        var cols = new double[c];
        var n = 0.0;
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < c; j++)
            {
                rows[i] += table[i, j];
                cols[j] += table[i, j];
                n += table[i, j];
            }
        }

        var yates = r == 2 && c == 2;
        var chisq = 0.0;
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < c; j++)
            {
                var e = rows[i] * cols[j] / n;
                var diff = Math.Abs(table[i, j] - e);
                if (yates)
                {
                    diff -= Math.Min(0.5, diff);
                }

                chisq += diff * diff / e;
            }
        }

        var df = (r - 1) * (c - 1);
        return new ChiSquareResult(chisq, df, Distributions.ChiSquareUpper(chisq, df));
    }

    /// <summary>Cross-tabulates two categorical columns (levels in R's factor order) and tests them.</summary>
    public static ChiSquareResult Compute(IReadOnlyList<string> row, IReadOnlyList<string> col)
    {
        if (row.Count != col.Count)
        {
            throw new StatisticsException("The two columns differ in length.");
        }

        var rl = GroupLevels.Of(row).Select((v, i) => (v, i)).ToDictionary(t => t.v, t => t.i);
        var cl = GroupLevels.Of(col).Select((v, i) => (v, i)).ToDictionary(t => t.v, t => t.i);
        var table = new double[rl.Count, cl.Count];
        for (var i = 0; i < row.Count; i++)
        {
            table[rl[row[i]], cl[col[i]]]++;
        }

        return Compute(table);
    }
}
