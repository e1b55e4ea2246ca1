using Derby.Imaging.Pairs;

namespace Derby.Imaging.Tests.Pairs;

public sealed class SurroundingsReferenceTests
{
    private const int Size = 32;
    private const int Centre = Size / 2;

    /// <summary>A pair stored with the default settings from SUV and HU given per pixel (the CT's three slices alike).</summary>
    private static PetCtPair Pair(Func<int, int, double> suv, Func<int, int, double> hu, int roiArea)
    {
        var settings = PairSettings.Default;
        var pet = new float[Size * Size];
        var ct = new float[3 * Size * Size];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                pet[(y * Size) + x] = settings.NormalizeSuv(suv(x, y));
                for (var c = 0; c < 3; c++)
                {
                    ct[(c * Size * Size) + (y * Size) + x] = settings.NormalizeHu(hu(x, y));
                }
            }
        }

        return new PetCtPair(40, [79, 80, 81], roiArea, 10, 12, Size, pet, ct);
    }

    private static bool InDisc(int x, int y, double r) => ((x - Centre) * (x - Centre)) + ((y - Centre) * (y - Centre)) <= r * r;

    private static int DiscArea(double r) => Enumerable.Range(0, Size * Size).Count(i => InDisc(i % Size, i / Size, r));

    [Fact]
    public void Apply_GivesTheLesionsRatioAndDifferenceToItsSurroundings()
    {
        // A disc of radius 4 at SUV 8 and 40 HU in a liver at SUV 2 and 60 HU: ratio 4 (0.4 of the window of 10),
        // difference -20 HU (0.5 - 20 / 200); the liver itself is ratio 1 and difference 0.
        var pair = Pair((x, y) => InDisc(x, y, 4) ? 8 : 2, (x, y) => InDisc(x, y, 4) ? 40 : 60, DiscArea(4));

        var (suv, hu) = SurroundingsReference.References(pair, PairSettings.Default);
        var relative = SurroundingsReference.Apply(pair, PairSettings.Default);

        Assert.Equal(2, suv, 5);
        Assert.Equal(60, hu, 3);
        Assert.Equal(0.4, relative.Pet[(Centre * Size) + Centre], 5);
        Assert.Equal(0.1, relative.Pet[0], 5);
        Assert.Equal(0.4, relative.Ct[(Size * Size) + (Centre * Size) + Centre], 5);
        Assert.Equal(0.5, relative.Ct[Size * Size], 5);
        Assert.Equal((pair.PetSlice, pair.RoiArea, pair.CropX0, pair.CropY0), (relative.PetSlice, relative.RoiArea, relative.CropX0, relative.CropY0));
        Assert.Equal(pair.CtSlices, relative.CtSlices);
    }

    [Fact]
    public void Apply_GivesTheSamePair_WhateverTheScannersCalibrationAndTheLiver()
    {
        // One textured lesion and liver, imaged by two sites: SUV scaled by 1.06 and HU offset by +6 at the second (the
        // generator's HWMU against ZSH), in a patient whose liver is also 10% hotter and 8 HU denser there.
        var rng = new Random(7);
        var noise = Enumerable.Range(0, Size * Size).Select(_ => (Pet: rng.NextDouble() - 0.5, Ct: 20 * (rng.NextDouble() - 0.5))).ToArray();
        double Suv(int x, int y, double liver) => (InDisc(x, y, 5) ? 3 * liver * (InDisc(x, y, 2) ? 0.4 : 1.2) : liver) * (1 + (0.2 * noise[(y * Size) + x].Pet));
        double Hu(int x, int y, double liver) => (InDisc(x, y, 5) ? liver - (InDisc(x, y, 2) ? 45 : 12) : liver) + noise[(y * Size) + x].Ct;
        var a = Pair((x, y) => Suv(x, y, 2.0), (x, y) => Hu(x, y, 58), DiscArea(5));
        var b = Pair((x, y) => 1.06 * Suv(x, y, 2.2), (x, y) => 6 + Hu(x, y, 66), DiscArea(5));

        var ra = SurroundingsReference.Apply(a, PairSettings.Default);
        var rb = SurroundingsReference.Apply(b, PairSettings.Default);

        // The stored pairs differ (by up to 0.03 in PET, 0.03 in CT); against their surroundings they agree to rounding.
        Assert.True(a.Pet.Zip(b.Pet).Max(p => Math.Abs(p.First - p.Second)) > 0.01);
        Assert.True(a.Ct.Zip(b.Ct).Max(p => Math.Abs(p.First - p.Second)) > 0.02);
        Assert.True(ra.Pet.Zip(rb.Pet).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);
        Assert.True(ra.Ct.Zip(rb.Ct).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);
    }

    [Fact]
    public void References_AreTheMedianOfTheRing_SoANeighbouringOrganReachingIntoItDoesNotMoveThem()
    {
        // Lesion radius 3: the ring spans 4.8-7.8 pixels. A hot, dense organ covers the crop's right third, which takes
        // less than half of the ring's pixels; the median stays the liver's.
        var area = DiscArea(3);
        var pair = Pair((x, y) => InDisc(x, y, 3) ? 9 : x >= Centre + 6 ? 6 : 2.1, (x, y) => InDisc(x, y, 3) ? 35 : x >= Centre + 6 ? 200 : 61, area);

        var (suv, hu) = SurroundingsReference.References(pair, PairSettings.Default);

        Assert.Equal(2.1, suv, 5);
        Assert.Equal(61, hu, 3);
    }

    [Fact]
    public void Apply_RefusesALesionWhoseSurroundingsLieOutsideTheCrop()
    {
        // ROI area of the whole crop: the ring starts 1.6 radii (29 pixels) out, beyond the crop's corners (22.6).
        var pair = Pair((_, _) => 5, (_, _) => 50, Size * Size);

        var e = Assert.Throws<ArgumentException>(() => SurroundingsReference.Apply(pair, PairSettings.Default));
        Assert.Contains("outside the 32-pixel crop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_TakesTheRatioAgainstAFloor_WhenTheSurroundingsHaveNoUptake()
    {
        // A lesion at SUV 3 in air (SUV 0, -1000 HU, clipped to the stored window's -200): ratio against 0.5, i.e. 6.
        var pair = Pair((x, y) => InDisc(x, y, 3) ? 3 : 0, (x, y) => InDisc(x, y, 3) ? 40 : -1000, DiscArea(3));

        var relative = SurroundingsReference.Apply(pair, PairSettings.Default);

        Assert.Equal(0.6, relative.Pet[(Centre * Size) + Centre], 5);
        Assert.Equal(0, relative.Pet[0]);
        Assert.All(relative.Pet.Concat(relative.Ct), v => Assert.InRange(v, 0f, 1f));
    }
}
