namespace Derby.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64 (Blackman and Vigna). The project's own generator, so that a seed gives the
/// same study on every machine and every .NET version (System.Random makes no such promise).
/// </summary>
public sealed class SyntheticRandom
{
    private ulong s0, s1, s2, s3;
    private double? spareNormal;

    public SyntheticRandom(ulong seed)
    {
        var x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>An independent stream for a named part of the study (a patient, a series), derived from the study seed.</summary>
    public static SyntheticRandom For(ulong seed, string name)
    {
        var h = seed ^ 0x9E3779B97F4A7C15UL;
        foreach (var c in name)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }

        return new SyntheticRandom(h);
    }

    public ulong NextULong()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [low, high).</summary>
    public int Next(int low, int high) => low + (int)(NextDouble() * (high - low));

    public bool Bernoulli(double p) => NextDouble() < p;

    /// <summary>Standard normal by the polar Box-Muller method.</summary>
    public double Normal()
    {
        if (spareNormal is { } spare)
        {
            spareNormal = null;
            return spare;
        }

        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);

        var m = Math.Sqrt(-2 * Math.Log(s) / s);
        spareNormal = v * m;
        return u * m;
    }

    public double Normal(double mean, double sd) => mean + sd * Normal();

    /// <summary>Standard logistic variate.</summary>
    public double Logistic()
    {
        var u = NextDouble();
        while (u == 0)
        {
            u = NextDouble();
        }

        return Math.Log(u / (1 - u));
    }

    public double Exponential(double mean) => -mean * Math.Log(1 - NextDouble());

    public void Shuffle<T>(IList<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = Next(0, i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
