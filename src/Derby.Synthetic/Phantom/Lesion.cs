namespace Derby.Synthetic.Phantom;

/// <summary>
/// A liver metastasis as an analytic shape: an axis-aligned ellipsoid (semi-axes in mm) with a necrotic core (inner
/// fraction of the normalised radius), a metabolically active rim whose uptake is modulated by a smooth texture, and
/// CT attenuation of rim and core. The ground-truth mask is { ρ ≤ 1 }, ρ² = Σ ((x - c) / a)².
/// </summary>
public sealed record Lesion(
    double X,
    double Y,
    double Z,
    double A,
    double B,
    double C,
    string Lobe,
    double CoreFraction,
    double RelativePeak,
    double TextureAmplitude,
    IReadOnlyList<TextureWave> Texture,
    double RimHu,
    double CoreHu)
{
    public double DiameterCm => 2 * Math.Max(A, Math.Max(B, C)) / 10;

    public double VolumeMl => 4.0 / 3 * Math.PI * A * B * C / 1000;

    public double Rho(double x, double y, double z)
    {
        var dx = (x - X) / A;
        var dy = (y - Y) / B;
        var dz = (z - Z) / C;
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }

    /// <summary>Relative uptake inside the lesion in [0, 1] before the patient's peak scaling: low in the core, textured in the rim.</summary>
    public double Uptake(double x, double y, double z, double rho)
    {
        if (rho < CoreFraction)
        {
            return 0;
        }

        var t = 0.0;
        foreach (var w in Texture)
        {
            t += Math.Cos(w.Kx * (x - X) + w.Ky * (y - Y) + w.Kz * (z - Z) + w.Phase);
        }

        t /= Texture.Count;
        return RelativePeak * (1 - TextureAmplitude * 0.5 * (1 - t));
    }
}

/// <summary>One plane wave of a lesion's uptake texture (wave numbers in rad/mm).</summary>
public sealed record TextureWave(double Kx, double Ky, double Kz, double Phase);
