namespace Derby.Statistics;

/// <summary>Harrell's concordance index for right-censored data, in O(n log n).</summary>
public static class Concordance
{
    /// <summary>
    /// C = (concordant + tied/2) / (concordant + discordant + tied) over comparable pairs, where a higher risk score should mean an
    /// earlier event (survival's <c>concordance(..., reverse = TRUE)</c>, as reported by <c>coxph</c>). A pair is comparable when
    /// the earlier time is an event; a censoring tied with an event time counts as later; pairs of tied event times are not
    /// comparable. A Fenwick tree over the ranks of the score counts, for each event, the subjects still at risk with lower,
    /// equal and higher scores.
    /// </summary>
    public static double Harrell(ReadOnlySpan<double> times, ReadOnlySpan<int> events, ReadOnlySpan<double> riskScores)
    {
        var n = times.Length;
        if (events.Length != n || riskScores.Length != n)
        {
            throw new StatisticsException("Times, events and scores differ in length.");
        }

        // Dense ranks of the scores (1-based) for the tree.
        var sortedScores = riskScores.ToArray();
        Array.Sort(sortedScores);
        var distinct = new List<double>();
        foreach (var s in sortedScores)
        {
            if (distinct.Count == 0 || distinct[^1] != s)
            {
                distinct.Add(s);
            }
        }

        var rank = new int[n];
        for (var i = 0; i < n; i++)
        {
            rank[i] = distinct.BinarySearch(riskScores[i]) + 1;
        }

        var order = Enumerable.Range(0, n).ToArray();
        var keys = times.ToArray();
        Array.Sort(keys, order);
        var tree = new long[distinct.Count + 1];
        long inTree = 0;
        double concordant = 0, discordant = 0, tied = 0;
        var k = n - 1;
        while (k >= 0)
        {
            var t = keys[k];
            var start = k;
            while (start > 0 && keys[start - 1] == t)
            {
                start--;
            }

            // Censored subjects at t are at risk after the events at t.
            for (var j = start; j <= k; j++)
            {
                if (events[order[j]] == 0)
                {
                    Add(tree, rank[order[j]]);
                    inTree++;
                }
            }

            for (var j = start; j <= k; j++)
            {
                var i = order[j];
                if (events[i] != 1)
                {
                    continue;
                }

                var below = Sum(tree, rank[i] - 1);
                var atOrBelow = Sum(tree, rank[i]);
                concordant += below;
                tied += atOrBelow - below;
                discordant += inTree - atOrBelow;
            }

            for (var j = start; j <= k; j++)
            {
                if (events[order[j]] == 1)
                {
                    Add(tree, rank[order[j]]);
                    inTree++;
                }
            }

            k = start - 1;
        }

        var total = concordant + discordant + tied;
        return total == 0 ? double.NaN : (concordant + tied / 2) / total;
    }

    private static void Add(long[] tree, int i)
    {
        for (; i < tree.Length; i += i & -i)
        {
            tree[i]++;
        }
    }

    private static long Sum(long[] tree, int i)
    {
        long s = 0;
        for (; i > 0; i -= i & -i)
        {
            s += tree[i];
        }

        return s;
    }
}
