using Derby.Imaging.Series;

namespace Derby.Imaging.Tests.Segmentation;

/// <summary>
/// Test phantoms with a known truth, independent of the generator: spheres of uniform SUV on a uniform background, each
/// voxel's activity the fraction of it inside the sphere (sampled 5 × 5 × 5), then blurred by a separable Gaussian
/// (the scanner's PSF, FWHM in mm). Axis-aligned grid, voxel (c, r, k) centred at (c·dx, r·dy, k·dz) mm.
/// </summary>
internal sealed class AnalyticPhantom
{
    public AnalyticPhantom(int columns, int rows, int slices, double dx, double dy, double dz, double background)
    {
        Geometry = new SeriesGeometry(rows, columns, slices, [dy, dx], dz, [1, 0, 0, 0, 1, 0], [0, 0, 1], [0, 0, 0], null);
        Suv = new float[columns * rows * slices];
        Array.Fill(Suv, (float)background);
    }

    public SeriesGeometry Geometry { get; }

    public float[] Suv { get; }

    public int Columns => Geometry.Columns;

    public int Rows => Geometry.Rows;

    public int Slices => Geometry.Slices;

    public double Dx => Geometry.PixelSpacing[1];

    public double Dy => Geometry.PixelSpacing[0];

    public double Dz => Geometry.SliceSpacing;

    public int Index(int c, int r, int k) => (k * Rows + r) * Columns + c;

    /// <summary>Sets the sphere's voxels to background + (suv − background) × inside fraction; a core (radius × coreFraction) gets coreSuv.</summary>
    public AnalyticPhantom AddSphere(double cx, double cy, double cz, double radiusMm, double suv, double coreFraction = 0, double coreSuv = 0)
    {
        const int sub = 5;
        for (var k = 0; k < Slices; k++)
        {
            for (var r = 0; r < Rows; r++)
            {
                for (var c = 0; c < Columns; c++)
                {
                    double x = c * Dx, y = r * Dy, z = k * Dz;
                    if (Math.Abs(x - cx) > radiusMm + Dx || Math.Abs(y - cy) > radiusMm + Dy || Math.Abs(z - cz) > radiusMm + Dz)
                    {
                        continue;
                    }

                    double inside = 0, core = 0;
                    for (var a = 0; a < sub; a++)
                    {
                        for (var b = 0; b < sub; b++)
                        {
                            for (var e = 0; e < sub; e++)
                            {
                                var px = x + ((a + 0.5) / sub - 0.5) * Dx - cx;
                                var py = y + ((b + 0.5) / sub - 0.5) * Dy - cy;
                                var pz = z + ((e + 0.5) / sub - 0.5) * Dz - cz;
                                var rho = Math.Sqrt(px * px + py * py + pz * pz) / radiusMm;
                                if (rho <= 1)
                                {
                                    if (rho < coreFraction)
                                    {
                                        core++;
                                    }
                                    else
                                    {
                                        inside++;
                                    }
                                }
                            }
                        }
                    }

                    var n = (double)sub * sub * sub;
                    var i = Index(c, r, k);
                    var outside = 1 - (inside + core) / n;
                    Suv[i] = (float)(Suv[i] * outside + suv * inside / n + coreSuv * core / n);
                }
            }
        }

        return this;
    }

    /// <summary>Separable Gaussian blur with edges clamped, kernel to ±4 SD.</summary>
    public AnalyticPhantom Blur(double fwhmMm)
    {
        var sigma = fwhmMm / (2 * Math.Sqrt(2 * Math.Log(2)));
        Pass(sigma / Dx, Columns, Rows * Slices, (line, i) => line * Columns + i);
        Pass(sigma / Dy, Rows, Columns * Slices, (line, j) => (line / Columns * Rows + j) * Columns + line % Columns);
        Pass(sigma / Dz, Slices, Columns * Rows, (line, k) => k * Columns * Rows + line);
        return this;
    }

    private void Pass(double sigma, int length, int lines, Func<int, int, int> index)
    {
        var half = (int)Math.Ceiling(4 * sigma);
        var kernel = new double[2 * half + 1];
        for (var t = -half; t <= half; t++)
        {
            kernel[t + half] = Math.Exp(-0.5 * t * t / (sigma * sigma));
        }

        var total = kernel.Sum();
        var line = new double[length];
        for (var l = 0; l < lines; l++)
        {
            for (var i = 0; i < length; i++)
            {
                line[i] = Suv[index(l, i)];
            }

            for (var i = 0; i < length; i++)
            {
                double s = 0;
                for (var t = -half; t <= half; t++)
                {
                    s += kernel[t + half] * line[Math.Clamp(i + t, 0, length - 1)];
                }

                Suv[index(l, i)] = (float)(s / total);
            }
        }
    }

    /// <summary>Adds Gaussian noise of SD <paramref name="sd"/> (fixed seed).</summary>
    public AnalyticPhantom AddNoise(double sd, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Suv.Length; i++)
        {
            var u1 = 1 - random.NextDouble();
            var u2 = random.NextDouble();
            Suv[i] += (float)(sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return this;
    }

    /// <summary>The true mask {ρ ≤ 1} at the voxel centres.</summary>
    public bool InSphere(int c, int r, int k, double cx, double cy, double cz, double radiusMm) =>
        Sq(c * Dx - cx) + Sq(r * Dy - cy) + Sq(k * Dz - cz) <= radiusMm * radiusMm;

    private static double Sq(double v) => v * v;
}
