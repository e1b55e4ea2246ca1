namespace Derby.Synthetic.Phantom;

/// <summary>The SUV image a scanner reconstructs, and the numbers behind it.</summary>
public sealed record PetImage(VolumeGrid Grid, float[] Suv, double PeakScale, double NoiseFreeSuvMax);

/// <summary>Turns an <see cref="Anatomy"/> into PET (SUV, blurred by the scanner's PSF, with count noise) and CT (HU with noise).</summary>
public static class Renderer
{
    private const double NecroticSuv = 0.6;

    public static PetImage RenderPet(Anatomy anatomy, VolumeGrid g, ScannerProfile scanner, double suvMax, SyntheticRandom rng)
    {
        var background = new float[g.Count];
        var lesion = new float[g.Count];
        g.ForEachVoxel((v, x, y, z) =>
        {
            if (anatomy.LesionAt(x, y, z) is { } hit)
            {
                background[v] = (float)NecroticSuv;
                lesion[v] = (float)hit.Lesion.Uptake(x, y, z, hit.Rho);
            }
            else
            {
                background[v] = (float)BackgroundSuv(anatomy, anatomy.TissueAt(x, y, z), x, y, z);
            }
        });

        var sigma = scanner.PetFwhmMm / 2.3548;
        Gaussian.Blur(background, g, sigma / g.Dx, sigma / g.Dy, sigma / g.Dz);
        Gaussian.Blur(lesion, g, sigma / g.Dx, sigma / g.Dy, sigma / g.Dz);

        // The uptake scale at which the noise-free image's hottest lesion voxel equals the recorded SUVmax.
        var lesionMax = lesion.Max();
        var region = Enumerable.Range(0, g.Count).Where(v => lesion[v] > 0.02 * lesionMax).ToArray();
        double Hottest(double s) => region.Length == 0 ? 0 : region.Max(v => background[v] + s * lesion[v]);
        double lo = 0, hi = 500;
        if (Hottest(0) >= suvMax)
        {
            hi = 0;
        }

        for (var it = 0; it < 60 && hi > 0; it++)
        {
            var mid = (lo + hi) / 2;
            if (Hottest(mid) < suvMax)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var scale = hi;
        var clean = new float[g.Count];
        for (var v = 0; v < g.Count; v++)
        {
            clean[v] = (float)(background[v] + scale * lesion[v]);
        }

        // Reconstruction noise: correlated over about a voxel, variance growing with the counts (the activity).
        var noise = new float[g.Count];
        for (var v = 0; v < noise.Length; v++)
        {
            noise[v] = (float)rng.Normal();
        }

        const double noiseSigma = 0.8;
        Gaussian.Blur(noise, g, noiseSigma, noiseSigma, noiseSigma);
        var gain = 1 / Math.Sqrt(Math.Pow(Gaussian.VarianceGain(noiseSigma), 3));
        var suv = new float[g.Count];
        for (var v = 0; v < g.Count; v++)
        {
            var value = clean[v] + scanner.PetNoise * Math.Sqrt(Math.Max(clean[v], 0.05)) * noise[v] * gain;
            suv[v] = (float)Math.Max(0, value);
        }

        return new PetImage(g, suv, scale, Hottest(scale));
    }

    public static float[] RenderCt(Anatomy anatomy, VolumeGrid g, ScannerProfile scanner, SyntheticRandom rng)
    {
        var hu = new float[g.Count];
        g.ForEachVoxel((v, x, y, z) =>
        {
            double value;
            if (anatomy.LesionAt(x, y, z) is { } hit)
            {
                value = hit.Rho < hit.Lesion.CoreFraction
                    ? hit.Lesion.CoreHu
                    : hit.Lesion.RimHu - 8 * (1 - hit.Lesion.Uptake(x, y, z, hit.Rho) / hit.Lesion.RelativePeak);
            }
            else
            {
                value = anatomy.TissueAt(x, y, z) switch
                {
                    Tissue.Air => -1000,
                    Tissue.Fat => -100,
                    Tissue.Liver => 62 + 4 * Math.Sin(x / 9) * Math.Cos(y / 11 + z / 13),
                    Tissue.Spleen => 48,
                    Tissue.Kidney => 35,
                    Tissue.Aorta => 45,
                    Tissue.Bone => 450,
                    _ => 40,
                };
            }

            hu[v] = (float)value;
        });

        for (var v = 0; v < hu.Length; v++)
        {
            if (hu[v] > -1000)
            {
                hu[v] += (float)(scanner.CtOffsetHu + scanner.CtNoiseHu * rng.Normal());
            }
        }

        return hu;
    }

    private static double BackgroundSuv(Anatomy a, Tissue tissue, double x, double y, double z) => tissue switch
    {
        Tissue.Air => 0,
        Tissue.Fat => 0.35,
        Tissue.Liver => a.LiverSuv * (1 + 0.05 * Math.Sin(x / 13) * Math.Cos(y / 17 + z / 11)),
        Tissue.Spleen => 1.8,
        Tissue.Kidney => 3.2,
        Tissue.Aorta => 1.7,
        Tissue.Bone => 1.4,
        _ => 0.8,
    };
}
