using Derby.Learning.Training;

namespace Derby.Learning.Tests.Training;

/// <summary>
/// The auxiliary targets on a drawn lesion of known make-up: a disc of radius 8 pixels at the crop's centre with a cold
/// core (radius 4) and a hot rim, on a background that must not count.
/// </summary>
public sealed class PairDescriptorsTests
{
    private const int Size = 32;
    private const double Radius = 8;

    [Fact]
    public void Compute_RecoversTheCoreAndRim_OfADrawnLesion()
    {
        var pair = Lesion(background: 0.2f);

        var d = PairDescriptors.Compute(pair);

        Assert.Equal(PairDescriptors.Count, d.Length);
        // Inner half and rim: the drawn values exactly (the drawing and the descriptor split at the same half radius, but
        // a pixel on the boundary could fall either side: allow one pixel's share).
        Assert.Equal(0.1, d[1], 2);
        Assert.Equal(0.8, d[2], 2);
        // The disc: a quarter core, three quarters rim by area, within the discretisation of a radius-8 disc.
        Assert.Equal((0.25 * 0.1) + (0.75 * 0.8), d[0], 1);
        Assert.InRange(d[3], 0.7 * Math.Sqrt(0.25 * 0.75) - 0.03, 0.7 * Math.Sqrt(0.25 * 0.75) + 0.03);
        Assert.Equal(0.3, d[5], 2);
        Assert.Equal(0.5, d[6], 2);
        Assert.Equal(Math.Log(Math.PI * Radius * Radius), d[7], 4);
    }

    [Fact]
    public void Compute_IgnoresEverythingOutsideTheLesion()
    {
        Assert.Equal(PairDescriptors.Compute(Lesion(background: 0.2f)), PairDescriptors.Compute(Lesion(background: 0.95f)));
    }

    [Fact]
    public void Compute_ReadsTheMiddleCtSlice()
    {
        var pair = Lesion(background: 0.2f);
        var plane = Size * Size;
        Array.Fill(pair.Ct, 0.99f, 0, plane);          // the slice before
        Array.Fill(pair.Ct, 0.01f, 2 * plane, plane);  // the slice after

        Assert.Equal(0.3, PairDescriptors.Compute(pair)[5], 2);
    }

    [Fact]
    public void StandardisedDescriptors_HaveMeanZeroAndUnitSpread_AndAConstantOneIsZero()
    {
        var pairs = new[] { Lesion(0.2f, rim: 0.6f), Lesion(0.2f, rim: 0.8f), Lesion(0.2f, rim: 0.9f) };

        var z = DerbyTrainer.StandardisedDescriptors(pairs);

        var rim = z.Select(r => (double)r[2]).ToArray();
        Assert.Equal(0, rim.Average(), 5);
        Assert.Equal(1, Math.Sqrt(rim.Average(v => v * v)), 5);
        Assert.True(rim[0] < rim[1] && rim[1] < rim[2]);
        Assert.All(z, r => Assert.Equal(0f, r[7]));  // every lesion has the same area
    }

    private static PairInput Lesion(float background, float rim = 0.8f)
    {
        var plane = Size * Size;
        var pet = new float[plane];
        var ct = new float[3 * plane];
        Array.Fill(pet, background);
        Array.Fill(ct, background);
        var c = Size / 2;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var r = Math.Sqrt(((x - c) * (x - c)) + ((y - c) * (y - c)));
                if (r <= Radius)
                {
                    var core = r <= Radius / 2;
                    pet[(y * Size) + x] = core ? 0.1f : rim;
                    ct[plane + (y * Size) + x] = core ? 0.3f : 0.5f;
                }
            }
        }

        return new PairInput(pet, ct, Size) { RoiArea = Math.PI * Radius * Radius };
    }
}
