namespace Derby.Imaging.Pairs;

/// <summary>
/// A pair re-expressed against the lesion's own surroundings, for a network that should not learn a scanner: PET as the
/// ratio of SUV to the surroundings' median SUV (the tumour-to-background ratio), CT as the difference of HU from the
/// surroundings' median HU. The surroundings are the ring of the crop between <see cref="InnerRadii"/> and
/// <see cref="OuterRadii"/> lesion radii from the crop's centre pixel (where the pair builder centres the lesion), the
/// radius being that of the disc of the pair's ROI area; in a liver lesion's pair that ring is mostly liver. A site's SUV
/// calibration (a factor) and HU offset, and a patient's liver uptake and attenuation, cancel out; what stays is the
/// lesion's contrast with its neighbourhood (ADR 16).
/// <para>
/// The result is normalised like a stored pair, to [0, 1], with fixed windows: PET ratio 0 to <see cref="RatioWindow"/>,
/// CT difference ± <see cref="HuHalfWindow"/> HU around the surroundings (a liver window: the few tens of HU between a
/// metastasis's rim, its core and the liver span a fifth of it, against a twentieth of the stored pairs' 500 HU window).
/// </para>
/// </summary>
public static class SurroundingsReference
{
    /// <summary>The ring's inner edge, in lesion radii.</summary>
    public const double InnerRadii = 1.6;

    /// <summary>The ring's outer edge, in lesion radii.</summary>
    public const double OuterRadii = 2.6;

    /// <summary>The ring is at least this wide, in pixels, and starts at least this far from the centre (a lesion of a few pixels).</summary>
    public const double MinimumPixels = 2;

    /// <summary>PET ratio that maps to 1.</summary>
    public const double RatioWindow = 10;

    /// <summary>HU above the surroundings that maps to 1 (and below, to 0).</summary>
    public const double HuHalfWindow = 100;

    /// <summary>Surroundings' SUV below which the ratio is taken against this value instead (a ring outside the body).</summary>
    public const double MinimumReferenceSuv = 0.5;

    /// <summary>The pair against its surroundings; <paramref name="settings"/> are those its pair set was made with.</summary>
    /// <exception cref="ArgumentException">The ring holds no pixel of the crop.</exception>
    public static PetCtPair Apply(PetCtPair pair, PairSettings settings)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(settings);
        var (petReference, ctReference) = References(pair, settings);
        var suv = settings.SuvWindow;
        var hu = settings.HuWindow;
        var pet = new float[pair.Pet.Length];
        var ratioScale = 1 / (Math.Max(petReference, MinimumReferenceSuv) * RatioWindow);
        for (var i = 0; i < pet.Length; i++)
        {
            pet[i] = (float)Math.Clamp(suv.Denormalize(pair.Pet[i]) * ratioScale, 0, 1);
        }

        var ct = new float[pair.Ct.Length];
        for (var i = 0; i < ct.Length; i++)
        {
            ct[i] = (float)Math.Clamp(0.5 + ((hu.Denormalize(pair.Ct[i]) - ctReference) / (2 * HuHalfWindow)), 0, 1);
        }

        return new PetCtPair(pair.PetSlice, pair.CtSlices, pair.RoiArea, pair.CropX0, pair.CropY0, pair.CropSize, pet, ct);
    }

    /// <summary>The surroundings' median SUV (PET) and median HU (the middle CT slice).</summary>
    public static (double Suv, double Hu) References(PetCtPair pair, PairSettings settings)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(settings);
        var s = pair.CropSize;
        var radius = Math.Max(Math.Sqrt(Math.Max(pair.RoiArea, 1) / Math.PI), 0.75);
        var inner = Math.Max(InnerRadii * radius, MinimumPixels);
        var outer = Math.Max(OuterRadii * radius, inner + MinimumPixels);
        var centre = s / 2;
        var middle = pair.CtChannel(1);
        var suv = settings.SuvWindow;
        var hu = settings.HuWindow;
        var pets = new List<double>();
        var cts = new List<double>();
        for (var y = 0; y < s; y++)
        {
            for (var x = 0; x < s; x++)
            {
                var d = Math.Sqrt(((x - centre) * (x - centre)) + ((y - centre) * (y - centre)));
                if (d >= inner && d <= outer)
                {
                    pets.Add(suv.Denormalize(pair.Pet[(y * s) + x]));
                    cts.Add(hu.Denormalize(middle[(y * s) + x]));
                }
            }
        }

        if (pets.Count == 0)
        {
            throw new ArgumentException($"The surroundings of a lesion of {pair.RoiArea} pixels ({inner:0.#}-{outer:0.#} pixels from the centre) lie outside the {s}-pixel crop");
        }

        return (Median(pets), Median(cts));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }
}
