using Derby.Domain;
using Derby.Synthetic.Clinical;

namespace Derby.Synthetic.Phantom;

public enum Tissue : byte
{
    Air,
    Fat,
    Soft,
    Liver,
    Spleen,
    Kidney,
    Aorta,
    Bone,
}

/// <summary>
/// One patient's upper abdomen as analytic shapes in LPS millimetres (x to the patient's left, y posterior, z head-ward),
/// liver centred at z = 0: elliptic body with a subcutaneous fat layer, liver (right lobe x below the Cantlie plane,
/// left lobe above), spleen, kidneys, aorta, vertebra, and the liver metastases of the clinical record.
/// </summary>
public sealed class Anatomy
{
    public required double BodyA { get; init; }
    public required double BodyB { get; init; }
    public double FatMm { get; init; } = 14;
    public required (double X, double Y, double Z, double A, double B, double C) Liver { get; init; }
    public required double CantlieX { get; init; }
    public required IReadOnlyList<Lesion> Lesions { get; init; }
    public double LiverSuv { get; init; } = 2.2;

    public Tissue TissueAt(double x, double y, double z)
    {
        var body = Sq(x / BodyA) + Sq(y / BodyB);
        if (body > 1)
        {
            return Tissue.Air;
        }

        if (Sq(x / (BodyA - FatMm)) + Sq(y / (BodyB - FatMm)) > 1)
        {
            return Tissue.Fat;
        }

        if (Sq((x - 0) / 16) + Sq((y - (BodyB - 38)) / 16) <= 1)
        {
            return Tissue.Bone;
        }

        if (Sq((x - 18) / 11) + Sq((y - (BodyB - 62)) / 11) <= 1)
        {
            return Tissue.Aorta;
        }

        var (lx, ly, lz, la, lb, lc) = Liver;
        if (Sq((x - lx) / la) + Sq((y - ly) / lb) + Sq((z - lz) / lc) <= 1)
        {
            return Tissue.Liver;
        }

        if (Sq((x - 85) / 42) + Sq((y - 25) / 32) + Sq(z / 55) <= 1)
        {
            return Tissue.Spleen;
        }

        if (Sq((Math.Abs(x) - 62) / 26) + Sq((y - (BodyB - 45)) / 22) + Sq((z + 45) / 50) <= 1)
        {
            return Tissue.Kidney;
        }

        return Tissue.Soft;
    }

    /// <summary>The lesion containing the point and its normalised radius, or null.</summary>
    public (Lesion Lesion, double Rho)? LesionAt(double x, double y, double z)
    {
        foreach (var lesion in Lesions)
        {
            var rho = lesion.Rho(x, y, z);
            if (rho <= 1)
            {
                return (lesion, rho);
            }
        }

        return null;
    }

    /// <summary>Builds the anatomy of a patient; lesions follow the record's count, largest diameter and lobar distribution.</summary>
    public static Anatomy Create(SyntheticPatient patient, double zHalfExtent, SyntheticRandom rng)
    {
        var bodyA = rng.Uniform(150, 172);
        var bodyB = rng.Uniform(105, 122);
        var liver = (X: rng.Uniform(-62, -50), Y: rng.Uniform(0, 10), Z: 0.0, A: rng.Uniform(88, 100), B: rng.Uniform(70, 80), C: rng.Uniform(62, 72));
        var cantlie = liver.X + 0.35 * liver.A;
        var lesions = PlaceLesions(patient, liver, cantlie, zHalfExtent, rng);
        return new Anatomy { BodyA = bodyA, BodyB = bodyB, Liver = liver, CantlieX = cantlie, Lesions = lesions, LiverSuv = rng.Uniform(1.9, 2.5) };
    }

    private static List<Lesion> PlaceLesions(SyntheticPatient p, (double X, double Y, double Z, double A, double B, double C) liver,
        double cantlie, double zHalfExtent, SyntheticRandom rng)
    {
        var lesions = new List<Lesion>();
        var count = p.LiverMetastases;
        var bilobar = p.Distribution == LiverDistribution.Bilobar;
        var unilobarSide = rng.Bernoulli(0.8) ? "right" : "left";
        // Phenotype: lower values (the poorer responders) carry larger necrotic cores and flatter, more uniform rims.
        var core = 0.12 + 0.45 * ResponseModel.Sigmoid(-1.3 * p.ImagePhenotype);
        var texture = 0.08 + 0.32 * ResponseModel.Sigmoid(1.4 * p.ImagePhenotype);
        var rimHu = 42 + 14 * ResponseModel.Sigmoid(1.2 * p.ImagePhenotype);
        for (var n = 0; n < count; n++)
        {
            var diameterMm = n == 0 ? p.LargestDiameterCm * 10 : rng.Uniform(10, Math.Min(35, p.LargestDiameterCm * 10));
            // Unilobar: every lesion in the first one's lobe. Bilobar: the second lesion in the other lobe than the first.
            string lobe;
            var mayMove = true;
            if (n == 0)
            {
                lobe = bilobar ? (rng.Bernoulli(0.75) ? "right" : "left") : unilobarSide;
            }
            else if (!bilobar || n == 1)
            {
                lobe = !bilobar ? lesions[0].Lobe : lesions[0].Lobe == "right" ? "left" : "right";
                mayMove = false;
            }
            else
            {
                lobe = rng.Bernoulli(0.6) ? "right" : "left";
            }

            var a = diameterMm / 2;
            var b = a * rng.Uniform(0.8, 1.0);
            var c = Math.Min(a * rng.Uniform(0.75, 1.0), zHalfExtent - 6);
            var placed = TryPlace(lobe, a, b, c, liver, cantlie, zHalfExtent, lesions, rng, out var center)
                || (mayMove && TryPlace(lobe == "right" ? "left" : "right", a, b, c, liver, cantlie, zHalfExtent, lesions, rng, out center));
            for (var shrink = 0; !placed && shrink < 4; shrink++)
            {
                // A crowded lobe: shrink the satellite rather than overlap or move it (the largest lesion is placed first).
                a *= 0.75;
                b *= 0.75;
                c *= 0.75;
                placed = TryPlace(lobe, a, b, c, liver, cantlie, zHalfExtent, lesions, rng, out center);
            }

            if (!placed)
            {
                throw new InvalidOperationException($"Could not place lesion {n + 1} of {p.Pseudonym}");
            }

            var waves = Enumerable.Range(0, 3).Select(_ =>
            {
                var k = 2 * Math.PI / rng.Uniform(8, 20);
                var (ux, uy, uz) = RandomDirection(rng);
                return new TextureWave(k * ux, k * uy, k * uz, rng.Uniform(0, 2 * Math.PI));
            }).ToList();
            var actualLobe = center.X < cantlie ? "right" : "left";
            lesions.Add(new Lesion(center.X, center.Y, center.Z, a, b, c, actualLobe,
                Math.Clamp(core + rng.Normal(0, 0.04), 0.05, 0.7), n == 0 ? 1.0 : rng.Uniform(0.55, 0.95),
                Math.Clamp(texture + rng.Normal(0, 0.03), 0.02, 0.6), waves, rimHu + rng.Normal(0, 2), 12 + rng.Normal(0, 3)));
        }

        return lesions;
    }

    private static bool TryPlace(string lobe, double a, double b, double c, (double X, double Y, double Z, double A, double B, double C) liver,
        double cantlie, double zHalfExtent, List<Lesion> others, SyntheticRandom rng, out (double X, double Y, double Z) center)
    {
        for (var attempt = 0; attempt < 3000; attempt++)
        {
            var x = rng.Uniform(liver.X - liver.A, liver.X + liver.A);
            var y = rng.Uniform(liver.Y - liver.B, liver.Y + liver.B);
            var z = rng.Uniform(-zHalfExtent + c + 4, zHalfExtent - c - 4);
            if ((lobe == "right") != (x < cantlie))
            {
                continue;
            }

            // The whole lesion inside the liver: its centre inside the liver shrunk by the lesion's semi-axes.
            if (Sq((x - liver.X) / (liver.A - a - 3)) + Sq((y - liver.Y) / (liver.B - b - 3)) + Sq((z - liver.Z) / (liver.C - c - 3)) > 1
                || liver.A - a - 3 <= 0 || liver.B - b - 3 <= 0 || liver.C - c - 3 <= 0)
            {
                continue;
            }

            if (others.Any(o => Math.Sqrt(Sq(o.X - x) + Sq(o.Y - y) + Sq(o.Z - z)) < Math.Max(o.A, Math.Max(o.B, o.C)) + Math.Max(a, Math.Max(b, c)) + 3))
            {
                continue;
            }

            center = (x, y, z);
            return true;
        }

        center = default;
        return false;
    }

    private static (double, double, double) RandomDirection(SyntheticRandom rng)
    {
        var x = rng.Normal();
        var y = rng.Normal();
        var z = rng.Normal();
        var n = Math.Sqrt(x * x + y * y + z * z);
        return (x / n, y / n, z / n);
    }

    private static double Sq(double v) => v * v;
}
