namespace Derby.Learning.Training;

/// <summary>
/// First-order descriptors of a pair's lesion, computed from the pair alone (no label): the auxiliary targets of
/// <see cref="TrainingOptions.AuxiliaryWeight"/>. The lesion is taken as the disc of the pair's ROI area centred on the
/// crop's centre pixel (where the pair builder centres the lesion), split into its inner half radius (a necrotic core)
/// and the ring outside it (the active rim):
/// <list type="number">
/// <item>PET mean in the disc, 2. in the inner half, 3. in the ring, 4. PET standard deviation in the disc,</item>
/// <item>CT (middle slice) mean in the disc, 6. in the inner half, 7. in the ring, 8. ln of the disc's area.</item>
/// </list>
/// Values are those of the input (normalised [0, 1] SUV and HU). Radiomics' first-order statistics inside the ROI, the
/// standard hand-crafted description of a PET/CT lesion, used here as a self-supervised target so that the 1024-d pair
/// feature (the mixture's input) encodes them as well as the response.
/// </summary>
public static class PairDescriptors
{
    /// <summary>Descriptors per pair.</summary>
    public const int Count = 8;

    /// <summary>The descriptors of <paramref name="pair"/>; an unknown ROI area (0) counts as one pixel.</summary>
    public static float[] Compute(PairInput pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var s = pair.CropSize;
        var plane = s * s;
        var area = Math.Max(pair.RoiArea, 1.0);
        var radius = Math.Max(Math.Sqrt(area / Math.PI), 0.75);
        var centre = s / 2;
        double petDisc = 0, petDisc2 = 0, petInner = 0, petRing = 0, ctDisc = 0, ctInner = 0, ctRing = 0;
        int nDisc = 0, nInner = 0, nRing = 0;
        var reach = (int)Math.Ceiling(radius);
        for (var y = Math.Max(0, centre - reach); y <= Math.Min(s - 1, centre + reach); y++)
        {
            for (var x = Math.Max(0, centre - reach); x <= Math.Min(s - 1, centre + reach); x++)
            {
                var rho = Math.Sqrt(((x - centre) * (x - centre)) + ((y - centre) * (y - centre))) / radius;
                if (rho > 1)
                {
                    continue;
                }

                double pet = pair.Pet[(y * s) + x];
                double ct = pair.Ct[plane + (y * s) + x];
                petDisc += pet;
                petDisc2 += pet * pet;
                ctDisc += ct;
                nDisc++;
                if (rho <= 0.5)
                {
                    petInner += pet;
                    ctInner += ct;
                    nInner++;
                }
                else
                {
                    petRing += pet;
                    ctRing += ct;
                    nRing++;
                }
            }
        }

        var petMean = petDisc / nDisc;
        var ctMean = ctDisc / nDisc;
        return
        [
            (float)petMean,
            (float)(nInner > 0 ? petInner / nInner : petMean),
            (float)(nRing > 0 ? petRing / nRing : petMean),
            (float)Math.Sqrt(Math.Max(0, (petDisc2 / nDisc) - (petMean * petMean))),
            (float)ctMean,
            (float)(nInner > 0 ? ctInner / nInner : ctMean),
            (float)(nRing > 0 ? ctRing / nRing : ctMean),
            (float)Math.Log(area),
        ];
    }
}
