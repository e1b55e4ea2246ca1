using Derby.Application.Learning;
using Derby.Imaging.Pairs;

namespace Derby.Application.Tests.Learning;

/// <summary>
/// The network's field (TrainingRequest.Field): the centred window of a stored pair that the network sees, and the way
/// its Grad-CAM maps are laid back over the stored crop. The truth is the pixel arithmetic of a crop centred on the
/// lesion (PairBuilder: the lesion's centre is pixel S/2 of a crop of side S).
/// </summary>
public sealed class NetworkFieldTests
{
    private const int Stored = 64;

    [Theory]
    [InlineData(0, 0, 64)]
    [InlineData(64, 0, 64)]
    [InlineData(32, 16, 32)]
    [InlineData(24, 20, 24)]
    public void Window_IsCentredOnTheCropsCentrePixel(int field, int offset, int side)
    {
        var window = NetworkService.Window(Stored, field);

        Assert.Equal((offset, side), window);
        // The stored crop's centre pixel (the lesion's centre) is the window's centre pixel.
        Assert.Equal(Stored / 2, window.Offset + (window.Side / 2));
    }

    [Fact]
    public void Window_LargerThanTheStoredCrop_IsRefusedWithTheReason()
    {
        var ex = Assert.Throws<InvalidDataException>(() => NetworkService.Window(32, 48));

        Assert.Contains("field of 48 pixels is larger than the stored pairs' crop of 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToInput_AtTheFieldsOwnSize_IsTheStoredCropsCentreWindow_PixelForPixel()
    {
        var pair = Indexed();

        var input = NetworkService.ToInput(pair, 32, field: 32);

        Assert.Equal(32, input.CropSize);
        for (var y = 0; y < 32; y++)
        {
            for (var x = 0; x < 32; x++)
            {
                Assert.Equal(Value(x + 16, y + 16, 0), input.Pet[(y * 32) + x]);
                for (var c = 0; c < 3; c++)
                {
                    Assert.Equal(Value(x + 16, y + 16, c + 1), input.Ct[(c * 32 * 32) + (y * 32) + x]);
                }
            }
        }
    }

    [Fact]
    public void ToInput_UpsamplesTheWindow_Bilinearly()
    {
        // A ramp along x, v = x / 64: bilinear resampling of the 32-pixel window [16, 48) onto 64 pixels gives, away from
        // the window's edges, v = (16 + (x' + 0.5) / 2 - 0.5) / 64.
        var ramp = new float[Stored * Stored];
        for (var y = 0; y < Stored; y++)
        {
            for (var x = 0; x < Stored; x++)
            {
                ramp[(y * Stored) + x] = x / 64f;
            }
        }

        var pair = new PetCtPair(10, [9, 10, 11], 40, 0, 0, Stored, ramp, [.. ramp, .. ramp, .. ramp]);

        var input = NetworkService.ToInput(pair, 64, field: 32);

        for (var x = 1; x < 63; x++)
        {
            var expected = (16 + ((x + 0.5) / 2) - 0.5) / 64;
            Assert.Equal(expected, input.Pet[(20 * 64) + x], 5);
            Assert.Equal(expected, input.Ct[(2 * 64 * 64) + (20 * 64) + x], 5);
        }
    }

    [Fact]
    public void ToInput_WithoutAField_KeepsTheWholeCrop()
    {
        var pair = Indexed();

        var input = NetworkService.ToInput(pair, Stored);

        Assert.Same(pair.Pet, input.Pet);
    }

    [Fact]
    public void ToStoredCrop_PlacesTheNetworksMapOverItsWindow_AndZeroElsewhere()
    {
        // A map the network gave at crop 64 over a field of 32: a constant 0.7 map covers exactly the window [16, 48)².
        var map = Enumerable.Repeat(0.7f, 64 * 64).ToArray();

        var laid = NetworkService.ToStoredCrop(map, 64, Stored, 32);

        Assert.Equal(Stored * Stored, laid.Length);
        for (var y = 0; y < Stored; y++)
        {
            for (var x = 0; x < Stored; x++)
            {
                var inside = x is >= 16 and < 48 && y is >= 16 and < 48;
                Assert.Equal(inside ? 0.7f : 0f, laid[(y * Stored) + x], 5);
            }
        }
    }

    [Fact]
    public void ToStoredCrop_InvertsToInput_ForAMapOnTheFieldsGrid()
    {
        // Network crop = field: the map's pixel (x, y) is the stored pixel (x + 16, y + 16).
        var pair = Indexed();
        var input = NetworkService.ToInput(pair, 32, field: 32);

        var laid = NetworkService.ToStoredCrop(input.Pet, 32, Stored, 32);

        Assert.Equal(pair.Pet[(40 * Stored) + 17], laid[(40 * Stored) + 17]);
        Assert.Equal(0f, laid[(5 * Stored) + 5]);
    }

    [Fact]
    public void ToInputs_AgainstTheSurroundings_UseTheSetsOwnWindows_ThenTheField()
    {
        // A pair set stored with a narrow SUV window (0-10) and a shifted HU window (-100..400): a lesion of radius 5 at
        // SUV 6 and 30 HU in a liver at SUV 2 and 70 HU. Against its surroundings: PET ratio 3 (0.3 of the ratio window),
        // CT -40 HU (0.5 - 40 / 200), and the network's 32-pixel field is the centre of that.
        var settings = new PairSettings { SuvMin = 0, SuvMax = 10, HuMin = -100, HuMax = 400 };
        bool Lesion(int x, int y) => ((x - 32) * (x - 32)) + ((y - 32) * (y - 32)) <= 25;
        var pet = new float[Stored * Stored];
        var ct = new float[3 * Stored * Stored];
        var area = 0;
        for (var y = 0; y < Stored; y++)
        {
            for (var x = 0; x < Stored; x++)
            {
                area += Lesion(x, y) ? 1 : 0;
                pet[(y * Stored) + x] = settings.NormalizeSuv(Lesion(x, y) ? 6 : 2);
                for (var c = 0; c < 3; c++)
                {
                    ct[(c * Stored * Stored) + (y * Stored) + x] = settings.NormalizeHu(Lesion(x, y) ? 30 : 70);
                }
            }
        }

        var grid = new PairGridSummary(128, 128, 60, [4, 4], 3, [1, 0, 0, 0, 1, 0], [0, 0, 0], null);
        var set = new PairSet(settings, grid, grid, new Derby.Imaging.Segmentation.VoxelBox(0, 0, 0, 1, 1, 1),
            [new PetCtPair(10, [9, 10, 11], area, 0, 0, Stored, pet, ct)]);

        var absolute = Assert.Single(NetworkService.ToInputs(set, new TrainingRequest(CropSize: 32, Field: 32)));
        var relative = Assert.Single(NetworkService.ToInputs(set, new TrainingRequest(CropSize: 32, Field: 32, AgainstSurroundings: true)));

        Assert.Equal(0.6f, absolute.Pet[(16 * 32) + 16], 5);
        Assert.Equal(0.3f, relative.Pet[(16 * 32) + 16], 5);
        Assert.Equal(0.1f, relative.Pet[0], 5);
        Assert.Equal(0.3f, relative.Ct[(32 * 32) + (16 * 32) + 16], 5);
        Assert.Equal(0.5f, relative.Ct[32 * 32], 5);
        Assert.Equal(area, relative.RoiArea);
    }

    private static float Value(int x, int y, int channel) => (channel * 10000) + (y * Stored) + x;

    private static PetCtPair Indexed()
    {
        var plane = Stored * Stored;
        var pet = new float[plane];
        var ct = new float[3 * plane];
        for (var y = 0; y < Stored; y++)
        {
            for (var x = 0; x < Stored; x++)
            {
                pet[(y * Stored) + x] = Value(x, y, 0);
                for (var c = 0; c < 3; c++)
                {
                    ct[(c * plane) + (y * Stored) + x] = Value(x, y, c + 1);
                }
            }
        }

        return new PetCtPair(10, [9, 10, 11], 40, 0, 0, Stored, pet, ct);
    }
}
