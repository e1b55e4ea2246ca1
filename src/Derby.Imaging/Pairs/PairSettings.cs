namespace Derby.Imaging.Pairs;

/// <summary>
/// How 2.5D PET/CT pairs are cut and scaled; stored with every <see cref="PairSet"/> (in <see cref="PairSetFile"/>'s
/// header), so a pair set says how it was made. Intensities are clipped to a window and scaled linearly to [0, 1]:
/// SUV to [<see cref="SuvMin"/>, <see cref="SuvMax"/>], HU to [<see cref="HuMin"/>, <see cref="HuMax"/>].
/// CT is resampled onto the PET crop's pixel centres by bilinear interpolation in the CT slice's plane
/// (<see cref="CtInterpolation"/>); there is no interpolation between CT slices: each of the
/// <see cref="CtSlicesPerPair"/> channels is one whole CT slice.
/// </summary>
public sealed record PairSettings
{
    /// <summary>CT slices per pair: the paper's "three geometrically correspondent CT slices for each PET slice" (fixed).</summary>
    public const int CtSlicesPerPair = 3;

    /// <summary>The only CT resampling there is: bilinear within the CT slice's plane.</summary>
    public const string CtInterpolation = "bilinear-in-plane";

    /// <summary>The smallest crop accepted, in PET pixels.</summary>
    public const int MinCropSize = 8;

    /// <summary>Side of the square crop in PET pixels (PET and CT crops alike, on the PET grid); default 64, at least <see cref="MinCropSize"/>.</summary>
    public int CropSize { get; init; } = 64;

    /// <summary>Lower end of the SUV window (maps to 0); default 0.</summary>
    public double SuvMin { get; init; }

    /// <summary>Upper end of the SUV window (maps to 1); default 20.</summary>
    public double SuvMax { get; init; } = 20;

    /// <summary>Lower end of the HU window (maps to 0); default −200 HU.</summary>
    public double HuMin { get; init; } = -200;

    /// <summary>Upper end of the HU window (maps to 1); default 300 HU.</summary>
    public double HuMax { get; init; } = 300;

    /// <summary>The defaults above.</summary>
    public static PairSettings Default { get; } = new();

    /// <summary>What PET pixels outside the PET image become: SUV 0 (no activity), normalised.</summary>
    public float PetPadding => NormalizeSuv(0);

    /// <summary>What CT pixels outside the CT image become: HU −1000 (air), normalised (the window's minimum for the usual windows).</summary>
    public float CtPadding => NormalizeHu(-1000);

    /// <summary>SUV clipped to [<see cref="SuvMin"/>, <see cref="SuvMax"/>] and scaled to [0, 1], in single precision; NaN becomes 0.</summary>
    public float NormalizeSuv(double suv) => SuvWindow.Normalize((float)suv);

    /// <summary>HU clipped to [<see cref="HuMin"/>, <see cref="HuMax"/>] and scaled to [0, 1], in single precision; NaN becomes 0.</summary>
    public float NormalizeHu(double hu) => HuWindow.Normalize((float)hu);

    /// <summary>The SUV window with its scale computed once, for loops over pixels.</summary>
    internal IntensityWindow SuvWindow => new(SuvMin, SuvMax);

    /// <summary>The HU window with its scale computed once, for loops over pixels.</summary>
    internal IntensityWindow HuWindow => new(HuMin, HuMax);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A crop under <see cref="MinCropSize"/> (or too large), or a window that is not finite or not increasing.</exception>
    public void Validate()
    {
        if (CropSize < MinCropSize || CropSize > 4096)
        {
            throw new ArgumentException($"CropSize is {CropSize}; it must be between {MinCropSize} and 4096 PET pixels");
        }

        CheckWindow("SUV", SuvMin, SuvMax);
        CheckWindow("HU", HuMin, HuMax);
    }

    private static void CheckWindow(string name, double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min >= max)
        {
            throw new ArgumentException($"The {name} window [{min}, {max}] must be finite with its minimum below its maximum");
        }
    }
}
