namespace Derby.Statistics;

/// <summary>Binary search over an ascending array.</summary>
internal static class SortedSearch
{
    /// <summary>The index of the first element not less than <paramref name="value"/> (the array's length if none).</summary>
    public static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
