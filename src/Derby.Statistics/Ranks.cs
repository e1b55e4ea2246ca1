namespace Derby.Statistics;

/// <summary>Midranks (average ranks for ties, 1-based), the building block of DeLong, Mann-Whitney and Harrell's C.</summary>
internal static class Ranks
{
    /// <summary>Midranks of <paramref name="values"/> in O(n log n) (one sort, then one pass over each run of ties).</summary>
    public static double[] Midranks(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        var keys = values.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order);
        var ranks = new double[n];
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            // Positions start..end-1 share the rank ((start + 1) + end) / 2.
            var rank = 0.5 * (start + 1 + end);
            for (var k = start; k < end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end;
        }

        return ranks;
    }

    /// <summary>Sizes of the runs of tied values (only runs longer than one), for tie corrections.</summary>
    public static List<int> TieSizes(ReadOnlySpan<double> values)
    {
        var keys = values.ToArray();
        Array.Sort(keys);
        var sizes = new List<int>();
        var start = 0;
        while (start < keys.Length)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                sizes.Add(end - start);
            }

            start = end;
        }

        return sizes;
    }
}
