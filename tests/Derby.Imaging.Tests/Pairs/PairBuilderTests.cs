using Derby.Imaging.Pairs;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Imaging.Tests.Pairs;

/// <summary>PairBuilder on hand-built grids whose answers are known without it.</summary>
public sealed class PairBuilderTests
{
    private static readonly PairSettings Crop8 = new() { CropSize = 8 };

    [Fact]
    public void Build_CopiesTheCtValuesExactly_WhenPetAndCtShareOneGrid()
    {
        var g = Grids.Axial3(32, 32, 20, 2.0, 3.0, [-31, -31, -30]);
        var suv = Grids.Volume(g, (c, r, k) => (c * 7 + r * 3 + k) % 17 * 0.9);
        var hu = Grids.Volume(g, (c, r, k) => -150 + (c * 31 + r * 17 + k * 13) % 400);
        var mask = Grids.Mask(new VoxelBox(12, 13, 5, 18, 17, 7), (x, y, z) => true);

        var set = PairBuilder.Build(suv, g, hu, g, mask, Crop8);

        Assert.Equal([5, 6, 7], set.Pairs.Select(p => p.PetSlice));
        foreach (var pair in set.Pairs)
        {
            // Centroid (15, 15) → the crop starts 4 pixels before it.
            Assert.Equal(11, pair.CropX0);
            Assert.Equal(11, pair.CropY0);
            Assert.Equal([pair.PetSlice - 1, pair.PetSlice, pair.PetSlice + 1], pair.CtSlices);
            for (var channel = 0; channel < 3; channel++)
            {
                var values = pair.CtChannel(channel);
                for (var j = 0; j < 8; j++)
                {
                    for (var i = 0; i < 8; i++)
                    {
                        var expected = Crop8.NormalizeHu(Grids.At(hu, g, 11 + i, 11 + j, pair.CtSlices[channel]));
                        Assert.Equal(expected, values[j * 8 + i]);
                        Assert.Equal(Crop8.NormalizeSuv(Grids.At(suv, g, 11 + i, 11 + j, pair.PetSlice)), pair.Pet[j * 8 + i]);
                    }
                }
            }
        }
    }

    [Fact]
    public void Build_ReproducesALinearRampAtPetPixelCentres_WhenCtHasHalfThePixelAndThinnerSlices()
    {
        // PET: 4 mm pixels and slices, first centre (0, 0, 0). CT over the same field of view: 2 mm pixels (centres at
        // −1, 1, 3, ...) and 2 mm slices from z = −1. HU = 2x − 3y + 5·k in the CT slice k: bilinear interpolation is
        // exact on a plane, so each PET pixel centre (x, y) gets 2x − 3y + 5k of the CT slice chosen.
        var pet = Grids.Axial3(20, 20, 10, 4.0, 4.0, [0, 0, 0]);
        var ct = Grids.Axial3(40, 40, 20, 2.0, 2.0, [-1, -1, -1]);
        var suv = Grids.Volume(pet, (c, r, k) => 1);
        var hu = Grids.Volume(ct, (c, r, k) => 2 * (-1 + 2.0 * c) - 3 * (-1 + 2.0 * r) + 5 * k);
        var mask = Grids.Mask(new VoxelBox(8, 9, 3, 11, 12, 6), (x, y, z) => true);
        var settings = new PairSettings { CropSize = 8, HuMin = -1000, HuMax = 1000 };

        var set = PairBuilder.Build(suv, pet, hu, ct, mask, settings);

        Assert.Equal(4, set.Pairs.Count);
        foreach (var pair in set.Pairs)
        {
            // PET slice z at 4z mm; CT slice k at −1 + 2k mm: 4z = −1 + 2k → k = 2z + 0.5, rounded up to 2z + 1.
            Assert.Equal([2 * pair.PetSlice, 2 * pair.PetSlice + 1, 2 * pair.PetSlice + 2], pair.CtSlices);
            for (var channel = 0; channel < 3; channel++)
            {
                var values = pair.CtChannel(channel);
                for (var j = 0; j < 8; j++)
                {
                    for (var i = 0; i < 8; i++)
                    {
                        var x = 4.0 * (pair.CropX0 + i);
                        var y = 4.0 * (pair.CropY0 + j);
                        var expected = settings.NormalizeHu(2 * x - 3 * y + 5 * pair.CtSlices[channel]);
                        Assert.True(Math.Abs(expected - values[j * 8 + i]) < 1e-6, $"({i},{j}) channel {channel}: {values[j * 8 + i]} vs {expected}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(0.0)] // Same in-plane axes: the separable path (one table per crop row and column).
    [InlineData(5e-5)] // CT turned by 5e-5 rad more (within the orientation tolerance): the per-pixel path.
    public void Build_ReproducesALinearRampInPatientCoordinates_WhenBothGridsAreRotatedInPlane(double extraTurn)
    {
        // PET turned 30° about z, 4 mm pixels and slices; CT 2 mm pixels, its first voxel 1 mm before PET's along both
        // of its axes and 1 mm below. HU = 2x − 3y + 5·k at each CT voxel centre (x, y in LPS): linear in the CT grid,
        // so bilinear interpolation gives 2x − 3y + 5k at any PET pixel centre (x, y).
        var pet = Rotated(20, 4.0, 10, 4.0, Math.PI / 6, [0, 0, 0]);
        var (cos, sin) = (Math.Cos(Math.PI / 6 + extraTurn), Math.Sin(Math.PI / 6 + extraTurn));
        var ct = Rotated(40, 2.0, 20, 2.0, Math.PI / 6 + extraTurn, [-cos + sin, -sin - cos, -1]);
        var hu = Grids.Volume(ct, (c, r, k) =>
        {
            var x = ct.FirstPosition[0] + 2.0 * c * cos - 2.0 * r * sin;
            var y = ct.FirstPosition[1] + 2.0 * c * sin + 2.0 * r * cos;
            return 2 * x - 3 * y + 5 * k;
        });
        var mask = Grids.Mask(new VoxelBox(8, 9, 3, 11, 12, 4), (x, y, z) => true);
        var settings = new PairSettings { CropSize = 8, HuMin = -1000, HuMax = 1000 };

        var set = PairBuilder.Build(new float[20 * 20 * 10], pet, hu, ct, mask, settings);

        Assert.Equal(2, set.Pairs.Count);
        foreach (var pair in set.Pairs)
        {
            Assert.Equal([2 * pair.PetSlice, 2 * pair.PetSlice + 1, 2 * pair.PetSlice + 2], pair.CtSlices);
            for (var channel = 0; channel < 3; channel++)
            {
                var values = pair.CtChannel(channel);
                for (var j = 0; j < 8; j++)
                {
                    for (var i = 0; i < 8; i++)
                    {
                        var (c, r) = (pair.CropX0 + i, pair.CropY0 + j);
                        var x = 4.0 * c * Math.Cos(Math.PI / 6) - 4.0 * r * Math.Sin(Math.PI / 6);
                        var y = 4.0 * c * Math.Sin(Math.PI / 6) + 4.0 * r * Math.Cos(Math.PI / 6);
                        var expected = settings.NormalizeHu(2 * x - 3 * y + 5 * pair.CtSlices[channel]);
                        Assert.True(Math.Abs(expected - values[j * 8 + i]) < 1e-6, $"({i},{j}) channel {channel}: {values[j * 8 + i]} vs {expected}");
                    }
                }
            }
        }
    }

    private static SeriesGeometry Rotated(int matrix, double pixel, int slices, double slice, double angle, double[] first) =>
        new(matrix, matrix, slices, [pixel, pixel], slice, [Math.Cos(angle), Math.Sin(angle), 0, -Math.Sin(angle), Math.Cos(angle), 0], [0, 0, 1], first,
            Grids.FrameOfReference);

    [Theory]
    [InlineData(0.0, 2, 3, 4, 5)] // PET slice 2 at z = 10 mm; CT every 2.5 mm from 0: slice 4 is at 10 mm.
    [InlineData(1.0, 2, 3, 4, 5)] // z = 11 mm: 4.4 CT slices → 4.
    [InlineData(1.5, 2, 4, 5, 6)] // z = 11.5 mm: 4.6 → 5.
    [InlineData(1.25, 2, 4, 5, 6)] // z = 11.25 mm: exactly half way (4.5) → the upper one.
    [InlineData(0.0, 0, 0, 1, 2)] // z = 0: the first CT slice is nearest, clamped to the first three.
    [InlineData(-20.0, 0, 0, 1, 2)] // below the CT volume.
    [InlineData(0.0, 3, 5, 6, 7)] // z = 15 mm: nearest 6 of 0-7, the last three.
    [InlineData(0.0, 4, 5, 6, 7)] // z = 20 mm: past the last CT slice (17.5 mm), clamped.
    public void NearestCtSlices_AreTheNearestAndItsNeighbours_ClampedAtTheEnds(double petZ0, int petSlice, int a, int b, int c)
    {
        var pet = Grids.Axial3(10, 10, 5, 4.0, 5.0, [0, 0, petZ0]);
        var ct = Grids.Axial3(10, 10, 8, 2.0, 2.5, [1, 1, 0]);

        Assert.Equal([a, b, c], PairBuilder.NearestCtSlices(pet, ct, 5, 5, petSlice));
    }

    [Fact]
    public void Build_RecordsTheNearestCtSlices_ForEachPair()
    {
        var pet = Grids.Axial3(16, 16, 5, 4.0, 5.0, [0, 0, 0]);
        var ct = Grids.Axial3(16, 16, 8, 4.0, 2.5, [0, 0, 0]);
        var mask = Grids.Mask(new VoxelBox(6, 6, 0, 9, 9, 4), (x, y, z) => true);

        var set = PairBuilder.Build(new float[pet.Rows * pet.Columns * pet.Slices], pet, new float[ct.Rows * ct.Columns * ct.Slices], ct, mask, Crop8);

        // PET slices at 0, 5, 10, 15, 20 mm; CT slices at 0, 2.5, ..., 17.5 mm.
        Assert.Equal(new[] { new[] { 0, 1, 2 }, [1, 2, 3], [3, 4, 5], [5, 6, 7], [5, 6, 7] }, set.Pairs.Select(p => p.CtSlices));
    }

    [Fact]
    public void NearestCtSlices_RepeatsIndices_WhenCtHasFewerThanThreeSlices()
    {
        var pet = Grids.Axial3(10, 10, 5, 4.0, 5.0, [0, 0, 0]);

        Assert.Equal([0, 0, 1], PairBuilder.NearestCtSlices(pet, Grids.Axial3(10, 10, 2, 2.0, 2.5, [0, 0, 0]), 5, 5, 0));
        Assert.Equal([0, 1, 1], PairBuilder.NearestCtSlices(pet, Grids.Axial3(10, 10, 2, 2.0, 2.5, [0, 0, 0]), 5, 5, 1));
        Assert.Equal([0, 0, 0], PairBuilder.NearestCtSlices(pet, Grids.Axial3(10, 10, 1, 2.0, 0, [0, 0, 0]), 5, 5, 3));
    }

    [Fact]
    public void Build_MakesOnePairPerSliceWithMaskVoxels_WithItsRoiArea()
    {
        var g = Grids.Axial3(24, 24, 12, 3.0, 3.0, [0, 0, 0]);
        // Slice 3: a 2 × 3 block (6); slice 4: nothing; slice 5: one voxel; slice 6: a 3 × 3 block less a corner (8); 7: nothing.
        var mask = Grids.Mask(new VoxelBox(10, 10, 3, 12, 12, 7), (x, y, z) => z switch
        {
            3 => x <= 11,
            5 => x == 12 && y == 10,
            6 => !(x == 10 && y == 10),
            _ => false,
        });
        var volume = new float[g.Rows * g.Columns * g.Slices];

        var set = PairBuilder.Build(volume, g, volume, g, mask, Crop8);

        Assert.Equal([3, 5, 6], set.Pairs.Select(p => p.PetSlice));
        Assert.Equal([6, 1, 8], set.Pairs.Select(p => p.RoiArea));
        Assert.Equal(mask.Count, set.TotalRoiArea);
        Assert.Equal(mask.Box, set.MaskBox);
    }

    [Fact]
    public void Build_GivesNoPairs_WhenTheMaskIsEmpty()
    {
        var g = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0]);
        var volume = new float[g.Rows * g.Columns * g.Slices];

        var set = PairBuilder.Build(volume, g, volume, g, Grids.Mask(new VoxelBox(2, 2, 1, 5, 5, 2), (x, y, z) => false), Crop8);

        Assert.Empty(set.Pairs);
    }

    [Fact]
    public void Build_PadsPastTheImageEdge_WithSuvZeroAndHuMinus1000()
    {
        // Windows chosen so the padding values are not 0: SUV 0 in [−1, 20] → 1/21; HU −1000 in [−1024, 976] → 0.012.
        var settings = new PairSettings { CropSize = 8, SuvMin = -1, SuvMax = 20, HuMin = -1024, HuMax = 976 };
        var g = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0]);
        var suv = Grids.Volume(g, (c, r, k) => 5);
        var hu = Grids.Volume(g, (c, r, k) => 40);
        var mask = Grids.Mask(new VoxelBox(0, 1, 2, 2, 1, 2), (x, y, z) => true);

        var pair = Assert.Single(PairBuilder.Build(suv, g, hu, g, mask, settings).Pairs);

        // Centroid (1, 1): the crop covers columns and rows −3 to 4.
        Assert.Equal(-3, pair.CropX0);
        Assert.Equal(-3, pair.CropY0);
        Assert.Equal(1.0 / 21, settings.PetPadding, 1e-7);
        Assert.Equal(24.0 / 2000, settings.CtPadding, 1e-7);
        for (var j = 0; j < 8; j++)
        {
            for (var i = 0; i < 8; i++)
            {
                var outside = i < 3 || j < 3;
                Assert.Equal(outside ? settings.PetPadding : settings.NormalizeSuv(5), pair.Pet[j * 8 + i]);
                for (var channel = 0; channel < 3; channel++)
                {
                    Assert.Equal(outside ? settings.CtPadding : settings.NormalizeHu(40), pair.CtChannel(channel)[j * 8 + i]);
                }
            }
        }
    }

    [Fact]
    public void Build_TakesTheCtEdgeValue_WithinHalfACtPixelOfTheImage()
    {
        // CT covers x in [−0.5, 15.5] (1 mm pixels, 16 columns, centres 0-15); PET pixels of 1 mm shifted by 0.25 mm.
        var pet = Grids.Axial3(16, 16, 3, 1.0, 2.0, [0.25, 0, 0]);
        var ct = Grids.Axial3(16, 16, 3, 1.0, 2.0, [0, 0, 0]);
        var hu = Grids.Volume(ct, (c, r, k) => c == 15 ? 100 : 0);
        var mask = Grids.Mask(new VoxelBox(13, 8, 1, 13, 8, 1), (x, y, z) => true);
        var settings = new PairSettings { CropSize = 8 };

        var pair = Assert.Single(PairBuilder.Build(new float[16 * 16 * 3], pet, hu, ct, mask, settings).Pairs);

        // Crop columns 9-16 at x = 9.25 ... 16.25: x = 14.25 is between CT columns 14 and 15 (25 HU); x = 15.25 is past
        // the last CT centre but inside its pixel (the edge value, 100 HU); x = 16.25 is outside the CT image (padding).
        var row = pair.CtChannel(1).Slice(4 * 8, 8).ToArray();
        Assert.Equal(settings.NormalizeHu(25), row[5]);
        Assert.Equal(settings.NormalizeHu(100), row[6]);
        Assert.Equal(settings.CtPadding, row[7]);
    }

    [Fact]
    public void Build_Refuses_WhenFramesOfReferenceDiffer()
    {
        var pet = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0], "1.2.3");
        var ct = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0], "1.2.4");
        var volume = new float[16 * 16 * 4];
        var mask = Grids.Mask(new VoxelBox(5, 5, 1, 6, 6, 2), (x, y, z) => true);

        var error = Assert.Throws<ArgumentException>(() => PairBuilder.Build(volume, pet, volume, ct, mask, Crop8));

        Assert.Contains("different Frames of Reference (1.2.3 and 1.2.4)", error.Message, StringComparison.Ordinal);
        // Without a Frame of Reference on one side there is nothing to compare: accepted.
        Assert.Equal(2, PairBuilder.Build(volume, pet, volume, ct with { FrameOfReferenceUid = null }, mask, Crop8).Pairs.Count);
    }

    [Fact]
    public void Build_Refuses_WhenOrientationsDiffer()
    {
        var pet = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0]);
        // A CT tilted by 10° about x: its slices are not parallel to PET's.
        var (cos, sin) = (Math.Cos(Math.PI / 18), Math.Sin(Math.PI / 18));
        var ct = pet with { Orientation = [1, 0, 0, 0, cos, sin], Normal = [0, -sin, cos] };
        var volume = new float[16 * 16 * 4];
        var mask = Grids.Mask(new VoxelBox(5, 5, 1, 6, 6, 2), (x, y, z) => true);

        var error = Assert.Throws<ArgumentException>(() => PairBuilder.Build(volume, pet, volume, ct, mask, Crop8));

        Assert.Contains("orientations differ", error.Message, StringComparison.Ordinal);
        Assert.Contains("parallel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Refuses_WhenTheMaskBoxIsOutsideThePetGrid()
    {
        var g = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0]);
        var volume = new float[16 * 16 * 4];
        var mask = Grids.Mask(new VoxelBox(10, 10, 2, 16, 12, 3), (x, y, z) => true);

        var error = Assert.Throws<ArgumentException>(() => PairBuilder.Build(volume, g, volume, g, mask, Crop8));

        Assert.Contains("outside the series' grid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Refuses_WhenAVolumeDoesNotMatchItsGrid()
    {
        var g = Grids.Axial3(16, 16, 4, 3.0, 3.0, [0, 0, 0]);
        var mask = Grids.Mask(new VoxelBox(5, 5, 1, 6, 6, 2), (x, y, z) => true);

        var error = Assert.Throws<ArgumentException>(() => PairBuilder.Build(new float[16 * 16 * 4], g, new float[16 * 16 * 3], g, mask, Crop8));

        Assert.Equal("hu", error.ParamName);
    }

    [Theory]
    [InlineData(-1.0, 0f)]
    [InlineData(0.0, 0f)]
    [InlineData(5.0, 0.25f)]
    [InlineData(10.0, 0.5f)]
    [InlineData(20.0, 1f)]
    [InlineData(35.0, 1f)]
    [InlineData(double.NaN, 0f)]
    public void NormalizeSuv_ClipsToZeroTwentyAndScales(double suv, float expected) =>
        Assert.Equal(expected, PairSettings.Default.NormalizeSuv(suv));

    [Theory]
    [InlineData(-1000.0, 0f)]
    [InlineData(-200.0, 0f)]
    [InlineData(-75.0, 0.25f)]
    [InlineData(50.0, 0.5f)]
    [InlineData(300.0, 1f)]
    [InlineData(1500.0, 1f)]
    public void NormalizeHu_ClipsToTheWindowAndScales(double hu, float expected) =>
        Assert.Equal(expected, PairSettings.Default.NormalizeHu(hu));

    [Theory]
    [InlineData(-200.0, 300.0)]
    [InlineData(-160.0, 240.3)]
    [InlineData(-1024.0, 3071.0)]
    [InlineData(0.1, 0.7)]
    [InlineData(-57.3, 1e6)]
    public void NormalizeHu_GivesExactlyZeroAndOne_AtTheWindowsEnds(double min, double max)
    {
        // The scale is a rounded reciprocal; it is nudged up where needed so that max itself reaches 1.
        var settings = new PairSettings { HuMin = min, HuMax = max };

        Assert.Equal(0f, settings.NormalizeHu(min));
        Assert.Equal(1f, settings.NormalizeHu(max));
        Assert.Equal(1f, settings.NormalizeHu(max + Math.Abs(max)));
        Assert.InRange(settings.NormalizeHu((min + max) / 2), 0.4999f, 0.5001f);
    }

    [Fact]
    public void Validate_Refuses_ACropUnderEightOrAnEmptyWindow()
    {
        Assert.Contains("CropSize is 7", Assert.Throws<ArgumentException>(() => new PairSettings { CropSize = 7 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("SUV window", Assert.Throws<ArgumentException>(() => new PairSettings { SuvMin = 5, SuvMax = 5 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("HU window", Assert.Throws<ArgumentException>(() => new PairSettings { HuMax = double.PositiveInfinity }.Validate()).Message, StringComparison.Ordinal);
        new PairSettings { CropSize = 8 }.Validate();
        Assert.Equal(64, PairSettings.Default.CropSize);
        Assert.Equal(3, PairSettings.CtSlicesPerPair);
    }
}
