using Derby.Imaging.Segmentation;
using Xunit.Abstractions;

namespace Derby.Imaging.Tests.Segmentation;

/// <summary>LesionSegmenter on analytic phantoms (uniform spheres, blurred by a known Gaussian): truth known exactly.</summary>
public sealed class LesionSegmenterAnalyticTests(ITestOutputHelper output)
{
    private const double Voxel = 4.0;
    private const int N = 40;
    private const double Centre = 80.7; // off the voxel grid, so the sphere is not symmetric in voxels

    private static VoxelBox BoxAround(double cx, double cy, double cz, double radius, double margin = 12) => new(
        (int)Math.Floor((cx - radius - margin) / Voxel), (int)Math.Floor((cy - radius - margin) / Voxel), (int)Math.Floor((cz - radius - margin) / Voxel),
        (int)Math.Ceiling((cx + radius + margin) / Voxel), (int)Math.Ceiling((cy + radius + margin) / Voxel), (int)Math.Ceiling((cz + radius + margin) / Voxel));

    private static double Dice(AnalyticPhantom ph, LesionMask mask, Func<int, int, int, bool> truth)
    {
        int both = 0, a = 0, b = 0;
        for (var k = 0; k < ph.Slices; k++)
        {
            for (var r = 0; r < ph.Rows; r++)
            {
                for (var c = 0; c < ph.Columns; c++)
                {
                    var m = mask[c, r, k];
                    var t = truth(c, r, k);
                    a += m ? 1 : 0;
                    b += t ? 1 : 0;
                    both += m && t ? 1 : 0;
                }
            }
        }

        return 2.0 * both / (a + b);
    }

    private static float MaxInBox(AnalyticPhantom ph, VoxelBox box)
    {
        var max = float.NegativeInfinity;
        for (var k = box.Z0; k <= box.Z1; k++)
        {
            for (var r = box.Y0; r <= box.Y1; r++)
            {
                for (var c = box.X0; c <= box.X1; c++)
                {
                    max = Math.Max(max, ph.Suv[ph.Index(c, r, k)]);
                }
            }
        }

        return max;
    }

    [Theory]
    [InlineData(22, 6.5)]
    [InlineData(25, 6.5)]
    [InlineData(30, 6.0)]
    [InlineData(40, 7.0)]
    [InlineData(60, 6.5)]
    public void Segment_MatchesABlurredSphere_WithinDiceAndVolumeTolerance(double diameterMm, double fwhmMm)
    {
        var r = diameterMm / 2;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0).Blur(fwhmMm);
        var box = BoxAround(Centre, Centre, Centre, r);

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);

        var dice = Dice(ph, s.Mask, (c, rr, k) => ph.InSphere(c, rr, k, Centre, Centre, Centre, r));
        var trueMl = 4.0 / 3 * Math.PI * r * r * r / 1000;
        output.WriteLine($"d={diameterMm} fwhm={fwhmMm}: dice {dice:0.000}, mtv {s.MtvMl:0.000} ml vs {trueMl:0.000} ({s.MtvMl / trueMl - 1:+0.0%;-0.0%}), T {s.Threshold:0.000}, B {s.Background:0.000}, it {s.Iterations}, {string.Join("; ", s.Warnings)}");
        Assert.True(dice >= 0.85, $"Dice {dice:0.000}");
        Assert.InRange(s.MtvMl, 0.9 * trueMl, 1.1 * trueMl);
        Assert.Equal(MaxInBox(ph, box), s.SuvMax);
        Assert.True(s.Converged);
        Assert.Empty(s.Warnings);
        Assert.Equal(s.Voxels * Voxel * Voxel * Voxel / 1000, s.MtvMl, 12);
        Assert.Equal(s.SuvMean * s.MtvMl, s.Tlg, 12);
        Assert.Equal(s.Threshold, s.ThresholdHistory[^1]);
        Assert.Equal(s.Iterations + 1, s.ThresholdHistory.Count);
    }

    [Theory]
    [InlineData(6.0, 0.10)]
    [InlineData(6.5, 0.10)]
    // Known limit, in ADR 0013: at 7 mm FWHM the region's mean understates a 2 cm sphere's SUV more than the calibrated
    // fraction allows for: +12.5% over the analytic volume on average (+10.3% over the voxelised truth); Dice ≥ 0.89.
    [InlineData(7.0, 0.15)]
    public void Segment_MatchesA2cmSphere_OnAverageOverItsPositionInTheVoxelGrid(double fwhmMm, double meanTolerance)
    {
        // A 2 cm sphere is 65 voxels of 4 mm: even the true mask at the voxel centres moves in shells of 6-8 voxels as
        // the centre moves within a voxel (81 voxels, +24%, when it sits on a voxel centre). So each position is held to
        // Dice, and the mean over positions to 10% of the analytic volume and of the voxelised truth. Measured (FWHM
        // 6.5 mm): +0/+6/+2/0/+5 voxels against the voxelised truth, mean +6.6% against the analytic volume.
        const double r = 10;
        var errors = new List<double>();
        var relative = new List<double>();
        foreach (var offset in new[] { 0.0, 0.7, 1.3, 2.0, 2.9 })
        {
            var c = 80 + offset;
            var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(c, c + offset / 2, c - offset, r, 10.0).Blur(fwhmMm);
            var box = BoxAround(c, c, c, r);
            var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);
            var dice = Dice(ph, s.Mask, (x, y, z) => ph.InSphere(x, y, z, c, c + offset / 2, c - offset, r));
            var trueMl = 4.0 / 3 * Math.PI * r * r * r / 1000;
            errors.Add(s.MtvMl / trueMl - 1);
            var voxelised = Voxels(new VoxelBox(0, 0, 0, N - 1, N - 1, N - 1)).Count(v => ph.InSphere(v.X, v.Y, v.Z, c, c + offset / 2, c - offset, r));
            output.WriteLine($"offset {offset}: dice {dice:0.000}, mtv {s.MtvMl:0.000} vs {trueMl:0.000} ({errors[^1]:+0.0%;-0.0%}), {s.Voxels} voxels vs {voxelised} at the centres");
            Assert.True(dice >= 0.85, $"Dice {dice:0.000}");
            relative.Add((double)s.Voxels / voxelised - 1);
            Assert.Equal(MaxInBox(ph, box), s.SuvMax);
        }

        output.WriteLine($"mean {errors.Average():+0.0%;-0.0%} analytic, {relative.Average():+0.0%;-0.0%} voxelised");
        Assert.InRange(errors.Average(), -meanTolerance, meanTolerance);
        Assert.InRange(relative.Average(), -meanTolerance, meanTolerance);
    }

    [Fact]
    public void Segment_IncludesTheNecroticCore_WhichTheThresholdAloneLeavesOut()
    {
        const double r = 20;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0, coreFraction: 0.5, coreSuv: 0.3).Blur(6.5);
        var box = BoxAround(Centre, Centre, Centre, r);

        var filled = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);
        var open = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box, new SegmentationSettings { HoleFilling = HoleFilling.None });

        var dice = Dice(ph, filled.Mask, (c, rr, k) => ph.InSphere(c, rr, k, Centre, Centre, Centre, r));
        var trueMl = 4.0 / 3 * Math.PI * r * r * r / 1000;
        output.WriteLine($"core: dice {dice:0.000}, mtv {filled.MtvMl:0.000} vs {trueMl:0.000}, open {open.MtvMl:0.000}, T {filled.Threshold:0.000}");
        Assert.True(dice >= 0.85, $"Dice {dice:0.000}");
        Assert.InRange(filled.MtvMl, 0.9 * trueMl, 1.1 * trueMl);
        var centre = ((int)Math.Round(Centre / Voxel), (int)Math.Round(Centre / Voxel), (int)Math.Round(Centre / Voxel));
        Assert.True(filled.Mask[centre.Item1, centre.Item2, centre.Item3]);
        Assert.False(open.Mask[centre.Item1, centre.Item2, centre.Item3]);
        Assert.True(open.Voxels < filled.Voxels);
        Assert.True(filled.SuvMean < open.SuvMean);
    }

    [Fact]
    public void Segment_ClosesACoreOpenedByACutAcrossSlices_OnlyWithTheSlicePass()
    {
        const double r = 20;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0, coreFraction: 0.5, coreSuv: 0.3).Blur(6.5);
        var c = (int)Math.Round(Centre / Voxel);
        var cut = BoxAround(Centre, Centre, Centre, r) with { Z0 = c };
        var fixedT = new SegmentationSettings { FixedThresholdSuv = 5.5 };

        var slices = LesionSegmenter.Segment(ph.Suv, ph.Geometry, cut, fixedT with { HoleFilling = HoleFilling.VolumeAndSlices });
        var volume = LesionSegmenter.Segment(ph.Suv, ph.Geometry, cut, fixedT with { HoleFilling = HoleFilling.Volume });

        Assert.True(slices.Mask[c, c, c], "the core on the cut slice is enclosed by the rim in that slice");
        Assert.False(volume.Mask[c, c, c], "in 3D the core opens onto the box's first slice");
        Assert.Contains(slices.Warnings, w => w.Contains("z0", StringComparison.Ordinal));
    }

    [Fact]
    public void Segment_GrowsOneRegionOverTwoTouchingLesions_AndOnlyTheHottestOfTwoSeparateOnes()
    {
        const double r = 12;
        // Touching: centres 2r apart (the spheres meet at a point; blurred, their voxels above T join through faces).
        var touching = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0)
            .AddSphere(60.3, Centre, Centre, r, 10.0).AddSphere(60.3 + 2 * r, Centre, Centre, r, 9.0).Blur(6.5);
        // Separate: a 5-voxel gap of background between them.
        var separate = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0)
            .AddSphere(50.3, Centre, Centre, r, 10.0).AddSphere(50.3 + 2 * r + 20, Centre, Centre, r, 9.0).Blur(6.5);
        var box = new VoxelBox(5, 12, 12, 34, 28, 28);

        var one = LesionSegmenter.Segment(touching.Suv, touching.Geometry, box);
        var hottest = LesionSegmenter.Segment(separate.Suv, separate.Geometry, box);

        var single = 4.0 / 3 * Math.PI * r * r * r / 1000;
        output.WriteLine($"touching: {one.MtvMl:0.000} ml, separate: {hottest.MtvMl:0.000} ml, one sphere {single:0.000} ml");
        var x1 = (int)Math.Round(60.3 / Voxel);
        var x2 = (int)Math.Round((60.3 + 2 * r) / Voxel);
        var c = (int)Math.Round(Centre / Voxel);
        Assert.True(one.Mask[x1, c, c] && one.Mask[x2, c, c]);
        Assert.InRange(one.MtvMl, 1.6 * single, 2.4 * single);
        Assert.True(hottest.Mask[(int)Math.Round(50.3 / Voxel), c, c]);
        Assert.False(hottest.Mask[(int)Math.Round((50.3 + 2 * r + 20) / Voxel), c, c]);
        Assert.InRange(hottest.MtvMl, 0.8 * single, 1.25 * single);
    }

    [Fact]
    public void Segment_SegmentsWhatIsInside_AndWarnsAboutTheFacesTheLesionTouches_WhenTheBoxCutsIt()
    {
        const double r = 15;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0).Blur(6.5);
        var full = BoxAround(Centre, Centre, Centre, r);
        var cut = full with { X1 = (int)Math.Round(Centre / Voxel), Z0 = (int)Math.Round(Centre / Voxel) };

        var whole = LesionSegmenter.Segment(ph.Suv, ph.Geometry, full);
        var part = LesionSegmenter.Segment(ph.Suv, ph.Geometry, cut);

        var warning = Assert.Single(part.Warnings);
        Assert.Contains("touches the box edge on x1", warning, StringComparison.Ordinal);
        Assert.Contains("z0", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("y0", warning, StringComparison.Ordinal);
        // The part is the whole lesion's mask inside the cut box when the threshold is the same.
        var sameT = LesionSegmenter.Segment(ph.Suv, ph.Geometry, cut, new SegmentationSettings { FixedThresholdSuv = whole.Threshold });
        for (var k = cut.Z0; k <= cut.Z1; k++)
        {
            for (var y = cut.Y0; y <= cut.Y1; y++)
            {
                for (var x = cut.X0; x <= cut.X1; x++)
                {
                    Assert.Equal(whole.Mask[x, y, k], sameT.Mask[x, y, k]);
                }
            }
        }

        Assert.InRange(part.Voxels, 0.15 * whole.Voxels, 0.45 * whole.Voxels);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void Segment_ReturnsAnEmptySegmentationWithAWarning_WhenTheBoxHoldsOnlyBackground(double noiseSd)
    {
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0);
        if (noiseSd > 0)
        {
            ph.AddNoise(noiseSd, 7).Blur(6.5);
        }

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(5, 5, 5, 30, 30, 30));

        Assert.Equal(0, s.Voxels);
        Assert.Equal(0, s.Mask.Count);
        Assert.Equal(0, s.MtvMl);
        Assert.Equal(0, s.Tlg);
        Assert.Contains(s.Warnings, w => w.Contains("no voxel clearly above the background", StringComparison.Ordinal));
        Assert.Equal(2.0, s.Background, 0.05);
    }

    [Fact]
    public void Segment_GrowsOverVoxelsAtOrAboveTheFixedThreshold_WithoutIterating()
    {
        const double r = 14;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0).Blur(6.5);
        var box = BoxAround(Centre, Centre, Centre, r);
        const double t = 4.0;

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box, new SegmentationSettings { FixedThresholdSuv = t });
        var none = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box, new SegmentationSettings { FixedThresholdSuv = 50 });

        // One blurred convex blob: every voxel ≥ T in the box is connected to the peak and there are no holes.
        var expected = 0;
        for (var k = box.Z0; k <= box.Z1; k++)
        {
            for (var y = box.Y0; y <= box.Y1; y++)
            {
                for (var x = box.X0; x <= box.X1; x++)
                {
                    expected += ph.Suv[ph.Index(x, y, k)] >= t ? 1 : 0;
                }
            }
        }

        Assert.Equal(expected, s.Voxels);
        Assert.Equal(t, s.Threshold);
        Assert.Equal(0, s.Iterations);
        Assert.Equal([t], s.ThresholdHistory);
        Assert.True(s.Converged);
        Assert.Equal(0, none.Voxels);
        Assert.Contains(none.Warnings, w => w.Contains("no voxel reaches the fixed threshold", StringComparison.Ordinal));
    }

    [Fact]
    public void Segment_GivesTheSameMaskAsOneFreshGrowingAtItsFinalThreshold()
    {
        // The iteration grows on from the previous region while T falls; a fixed threshold grows once from the seed.
        const double r = 16;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 7.0, coreFraction: 0.4, coreSuv: 0.5)
            .Blur(6.5).AddNoise(0.25, 19);
        var box = BoxAround(Centre, Centre, Centre, r);

        var adaptive = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);
        var fresh = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box, new SegmentationSettings { FixedThresholdSuv = adaptive.Threshold });

        Assert.True(adaptive.Iterations >= 2);
        Assert.Equal(fresh.Mask.Values, adaptive.Mask.Values);
        Assert.Equal(fresh.SuvMean, adaptive.SuvMean, 12);
        Assert.Equal(fresh.SuvPeak, adaptive.SuvPeak);
    }

    [Fact]
    public void Segment_GivesSuvPeakEqualToTheValue_ForAUniformSphere()
    {
        // Not blurred: a 5 cm sphere of SUV 7.5 holds 1 cm³ spheres of voxels all at 7.5.
        const double r = 25;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 1.0).AddSphere(Centre, Centre, Centre, r, 7.5);
        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, BoxAround(Centre, Centre, Centre, r));

        Assert.Equal(7.5, s.SuvPeak, 6);
        Assert.Equal(7.5, s.SuvMax, 6);
        Assert.Equal(s.SuvMean * s.MtvMl, s.Tlg, 12);
        Assert.True(s.SuvMean <= s.SuvPeak);
    }

    [Fact]
    public void Segment_SuvPeakIsTheBestMeanOverTheSphere_ComputedByBruteForce()
    {
        const double r = 12;
        var ph = new AnalyticPhantom(30, 30, 30, 2.0, 2.5, 3.0, 1.0).AddSphere(30.2, 31, 44, r, 6.0).Blur(6.0).AddNoise(0.2, 3);
        var box = new VoxelBox(5, 4, 5, 25, 22, 24);
        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);

        var best = double.NegativeInfinity;
        foreach (var (cx, cy, cz) in Voxels(box).Where(v => s.Mask[v.X, v.Y, v.Z]))
        {
            double sum = 0;
            var n = 0;
            foreach (var (x, y, z) in Voxels(new VoxelBox(0, 0, 0, 29, 29, 29)))
            {
                if (Math.Pow((x - cx) * 2.0, 2) + Math.Pow((y - cy) * 2.5, 2) + Math.Pow((z - cz) * 3.0, 2) <= 6.2035 * 6.2035)
                {
                    sum += ph.Suv[ph.Index(x, y, z)];
                    n++;
                }
            }

            best = Math.Max(best, sum / n);
        }

        Assert.Equal(best, s.SuvPeak, 9);
    }

    private static IEnumerable<(int X, int Y, int Z)> Voxels(VoxelBox b)
    {
        for (var z = b.Z0; z <= b.Z1; z++)
        {
            for (var y = b.Y0; y <= b.Y1; y++)
            {
                for (var x = b.X0; x <= b.X1; x++)
                {
                    yield return (x, y, z);
                }
            }
        }
    }

    [Fact]
    public void Segment_IgnoresNaNVoxels_AndKeepsNegativeOnes()
    {
        const double r = 15;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 0.5).AddSphere(Centre, Centre, Centre, r, 6.0).Blur(6.5).AddNoise(0.6, 11);
        var box = BoxAround(Centre, Centre, Centre, r);
        var c = (int)Math.Round(Centre / Voxel);
        ph.Suv[ph.Index(c + 1, c, c)] = float.NaN;
        ph.Suv[ph.Index(box.X0, box.Y0, box.Z0)] = float.PositiveInfinity;
        Assert.Contains(ph.Suv, v => v < 0);

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);

        Assert.Contains(s.Warnings, w => w.StartsWith("2 voxel(s) of the box are not numbers", StringComparison.Ordinal));
        Assert.True(double.IsFinite(s.SuvMean) && double.IsFinite(s.SuvPeak) && double.IsFinite(s.Background));
        Assert.True(s.Mask[c + 1, c, c], "a NaN voxel enclosed by the lesion is filled as a hole");
        Assert.True(s.SuvMax < 20);
        var trueMl = 4.0 / 3 * Math.PI * r * r * r / 1000;
        Assert.InRange(s.MtvMl, 0.8 * trueMl, 1.2 * trueMl);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Segment_TakesTheExactMedianOfTheShellAsBackground(bool nanInShell)
    {
        // Noisy background around 0.1 SUV (many negative values), a lesion inside; a NaN in the shell makes the count odd.
        const double r = 12;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 0.1).AddSphere(Centre, Centre, Centre, r, 6.0).Blur(6.5).AddNoise(0.3, 23);
        var box = BoxAround(Centre, Centre, Centre, r);
        if (nanInShell)
        {
            ph.Suv[ph.Index(box.X0 + 1, box.Y0 + 5, box.Z0 + 5)] = float.NaN;
        }

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box);

        var shell = Voxels(box)
            .Where(v => Math.Min(Math.Min(v.X - box.X0, box.X1 - v.X), Math.Min(Math.Min(v.Y - box.Y0, box.Y1 - v.Y), Math.Min(v.Z - box.Z0, box.Z1 - v.Z))) < 2)
            .Select(v => ph.Suv[ph.Index(v.X, v.Y, v.Z)]).Where(v => !float.IsNaN(v)).Order().ToList();
        var expected = shell.Count % 2 == 1 ? shell[shell.Count / 2] : (shell[shell.Count / 2 - 1] + (double)shell[shell.Count / 2]) / 2;
        Assert.Equal(nanInShell, shell.Count % 2 == 1);
        Assert.Contains(shell, v => v < 0);
        Assert.Equal(expected, s.Background);
    }

    [Fact]
    public void Segment_HandlesBoxesOfOneVoxelAndOneSlice()
    {
        const double r = 14;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0).Blur(6.5);
        var c = (int)Math.Round(Centre / Voxel);

        var one = LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(c, c, c, c, c, c));
        var oneFixed = LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(c, c, c, c, c, c), new SegmentationSettings { FixedThresholdSuv = 1 });
        var slice = LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(c - 8, c - 8, c, c + 8, c + 8, c));

        Assert.Equal(0, one.Voxels);
        Assert.Contains(one.Warnings, w => w.Contains("too thin", StringComparison.Ordinal));
        Assert.Equal(1, oneFixed.Voxels);
        Assert.Equal(ph.Suv[ph.Index(c, c, c)], oneFixed.SuvMax);
        // One slice through the centre: a disc of the sphere's radius (within a voxel), touching z0 and z1.
        Assert.InRange(slice.Voxels, 0.7 * Math.PI * r * r / (Voxel * Voxel), 1.3 * Math.PI * r * r / (Voxel * Voxel));
        Assert.Contains(slice.Warnings, w => w.Contains("z0", StringComparison.Ordinal) && w.Contains("z1", StringComparison.Ordinal));
    }

    /// <summary>The options evaluated in ADR 0013 (smoothed copy for the growing, source from the region's hotter part), off by default.</summary>
    private static readonly SegmentationSettings Smoothed = new() { SmoothingFwhmMm = 3, SourceFraction = 0.7, ThresholdFraction = 0.48 };

    [Theory]
    [InlineData(25, 6.5)]
    [InlineData(30, 6.0)]
    [InlineData(40, 7.0)]
    [InlineData(60, 6.5)]
    public void Segment_WithTheSmoothedCopyAndTheHotterPartAsSource_MatchesABlurredSphere_WithRawMeasures(double diameterMm, double fwhmMm)
    {
        var r = diameterMm / 2;
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(Centre, Centre, Centre, r, 10.0).Blur(fwhmMm);
        var box = BoxAround(Centre, Centre, Centre, r);

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, box, Smoothed);

        var dice = Dice(ph, s.Mask, (c, rr, k) => ph.InSphere(c, rr, k, Centre, Centre, Centre, r));
        var trueMl = 4.0 / 3 * Math.PI * r * r * r / 1000;
        output.WriteLine($"d={diameterMm} fwhm={fwhmMm}: dice {dice:0.000}, mtv {s.MtvMl / trueMl - 1:+0.0%;-0.0%}, T {s.Threshold:0.000}, it {s.Iterations}");
        Assert.True(dice >= 0.85, $"Dice {dice:0.000}");
        Assert.InRange(s.MtvMl, 0.9 * trueMl, 1.1 * trueMl);
        Assert.True(s.Converged);
        Assert.Empty(s.Warnings);
        // The measures are the raw SUVs': SUVmax is the box's hottest raw voxel, SUVmean the raw mean over the mask.
        Assert.Equal(MaxInBox(ph, box), s.SuvMax);
        var raw = Voxels(box).Where(v => s.Mask[v.X, v.Y, v.Z]).Average(v => (double)ph.Suv[ph.Index(v.X, v.Y, v.Z)]);
        Assert.Equal(raw, s.SuvMean, 9);
        Assert.Equal(2.0, s.Background, 1e-6);
    }

    [Fact]
    public void Segment_WithTheSmoothedCopy_MatchesA2cmSphereAt7mm_OnAverageOverItsPosition()
    {
        // The default's known limit (+12.5% at 7 mm FWHM) is the source estimate's: the hotter part's mean does not sink
        // with the blurred rim. Measured: +0.8% on average over the five positions.
        const double r = 10;
        var errors = new List<double>();
        foreach (var offset in new[] { 0.0, 0.7, 1.3, 2.0, 2.9 })
        {
            var c = 80 + offset;
            var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddSphere(c, c + offset / 2, c - offset, r, 10.0).Blur(7.0);
            var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, BoxAround(c, c, c, r), Smoothed);
            var dice = Dice(ph, s.Mask, (x, y, z) => ph.InSphere(x, y, z, c, c + offset / 2, c - offset, r));
            Assert.True(dice >= 0.85, $"Dice {dice:0.000}");
            errors.Add(s.MtvMl / (4.0 / 3 * Math.PI * r * r * r / 1000) - 1);
        }

        output.WriteLine($"mean {errors.Average():+0.0%;-0.0%}");
        Assert.InRange(errors.Average(), -0.10, 0.10);
    }

    [Theory]
    [InlineData(0.1, 7)]
    [InlineData(0.6, 8)]
    [InlineData(0.6, 9)]
    public void Segment_WithTheSmoothedCopy_ReturnsAnEmptySegmentation_ForANoiseOnlyBox(double noiseSd, int seed)
    {
        var ph = new AnalyticPhantom(N, N, N, Voxel, Voxel, Voxel, 2.0).AddNoise(noiseSd, seed).Blur(6.5);

        var s = LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(5, 5, 5, 30, 30, 30), Smoothed with { SmoothingFwhmMm = 6 });

        Assert.Equal(0, s.Voxels);
        Assert.Contains(s.Warnings, w => w.Contains("no voxel clearly above the background", StringComparison.Ordinal) && w.Contains("smoothed", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_WithoutTheNewOptions_SerializeAsBefore_AndOldJsonReadsAsTheDefault()
    {
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var written = System.Text.Json.JsonSerializer.Serialize(SegmentationSettings.Default, json);
        const string before = """{"thresholdFraction":0.56,"shellThickness":2,"background":0,"toleranceSuv":0.001,"maxIterations":50,"fixedThresholdSuv":null,"minimumPeakToBackground":1.5,"minimumPeakSigmas":3,"noiseFloorSigmas":2,"holeFilling":2}""";

        Assert.Equal(before, written);
        Assert.Equal(SegmentationSettings.Default, System.Text.Json.JsonSerializer.Deserialize<SegmentationSettings>(before, json));
        var set = SegmentationSettings.Default with { SmoothingFwhmMm = 3, SourceFraction = 0.7 };
        Assert.Equal(set, System.Text.Json.JsonSerializer.Deserialize<SegmentationSettings>(System.Text.Json.JsonSerializer.Serialize(set, json), json));
        Assert.Throws<ArgumentException>(() => (SegmentationSettings.Default with { SmoothingFwhmMm = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (SegmentationSettings.Default with { SourceFraction = 1 }).Validate());
    }

    [Fact]
    public void Segment_Throws_WhenTheBoxIsOutsideTheGridOrTheVolumeDoesNotMatch()
    {
        var ph = new AnalyticPhantom(10, 10, 10, Voxel, Voxel, Voxel, 1.0);

        var outside = Assert.Throws<ArgumentException>(() => LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(2, 2, 2, 10, 5, 5)));
        var reversed = Assert.Throws<ArgumentException>(() => LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(5, 2, 2, 2, 5, 5)));
        var wrong = Assert.Throws<ArgumentException>(() => LesionSegmenter.Segment(new float[999], ph.Geometry, new VoxelBox(0, 0, 0, 5, 5, 5)));
        var setting = Assert.Throws<ArgumentException>(() =>
            LesionSegmenter.Segment(ph.Suv, ph.Geometry, new VoxelBox(0, 0, 0, 5, 5, 5), new SegmentationSettings { ThresholdFraction = 1.2 }));

        Assert.Contains("outside the series' grid", outside.Message, StringComparison.Ordinal);
        Assert.Contains("first corner after its last", reversed.Message, StringComparison.Ordinal);
        Assert.Contains("999 voxels", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("ThresholdFraction", setting.Message, StringComparison.Ordinal);
    }
}
