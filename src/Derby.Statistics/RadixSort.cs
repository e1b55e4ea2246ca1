namespace Derby.Statistics;

/// <summary>
/// LSD radix sort of doubles (11-bit digits over the IEEE-754 bits mapped to an order-preserving unsigned key), linear in n:
/// the sort dominates DeLong's O(n log n) algorithm, and on 10^6 scores this is several times faster than a comparison sort.
/// NaN must not occur (callers reject it). -0.0 sorts just before +0.0; callers compare values with ==, which treats them as equal.
/// </summary>
internal static class RadixSort
{
    private const int Bits = 11;
    private const int Buckets = 1 << Bits;
    private const int Passes = (64 + Bits - 1) / Bits;

    public static void Sort(double[] values)
    {
        var n = values.Length;
        if (n < 4096)
        {
            Array.Sort(values);
            return;
        }

        var keys = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            var bits = BitConverter.DoubleToInt64Bits(values[i]);
            // Negative numbers: flip every bit (reverses their order); positive: flip the sign bit (puts them above).
            keys[i] = (ulong)(bits ^ ((bits >> 63) | long.MinValue));
        }

        var counts = new int[Passes, Buckets];
        foreach (var k in keys)
        {
            for (var p = 0; p < Passes; p++)
            {
                counts[p, (int)((k >> (p * Bits)) & (Buckets - 1))]++;
            }
        }

        var buffer = new ulong[n];
        var offsets = new int[Buckets];
        for (var p = 0; p < Passes; p++)
        {
            // A digit that is the same for every key changes nothing.
            var skip = false;
            for (var b = 0; b < Buckets; b++)
            {
                if (counts[p, b] == n)
                {
                    skip = true;
                    break;
                }

                if (counts[p, b] != 0)
                {
                    break;
                }
            }

            if (skip)
            {
                continue;
            }

            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                offsets[b] = sum;
                sum += counts[p, b];
            }

            var shift = p * Bits;
            foreach (var k in keys)
            {
                buffer[offsets[(int)((k >> shift) & (Buckets - 1))]++] = k;
            }

            (keys, buffer) = (buffer, keys);
        }

        for (var i = 0; i < n; i++)
        {
            var k = (long)keys[i];
            // Undo the mapping: keys with the top bit set were positive.
            var bits = k < 0 ? k ^ long.MinValue : ~k;
            values[i] = BitConverter.Int64BitsToDouble(bits);
        }
    }
}
