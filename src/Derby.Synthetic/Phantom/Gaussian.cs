namespace Derby.Synthetic.Phantom;

/// <summary>Separable 3-D Gaussian smoothing of a volume (edges clamped), the scanner's point-spread function.</summary>
public static class Gaussian
{
    public static void Blur(float[] data, VolumeGrid g, double sigmaX, double sigmaY, double sigmaZ)
    {
        Pass(data, g, sigmaX, 1, g.Nx, g.Ny * g.Nz, (line, i) => line * g.Nx + i);
        Pass(data, g, sigmaY, g.Nx, g.Ny, g.Nx * g.Nz, (line, j) => (line / g.Nx * g.Ny + j) * g.Nx + line % g.Nx);
        Pass(data, g, sigmaZ, g.Nx * g.Ny, g.Nz, g.Nx * g.Ny, (line, k) => k * g.Nx * g.Ny + line);
    }

    /// <summary>Sum of squared weights of the normalised 1-D kernel: white noise blurred by it keeps this fraction of its variance.</summary>
    public static double VarianceGain(double sigma)
    {
        var k = Kernel(sigma);
        return k.Sum(w => w * w);
    }

    private static void Pass(float[] data, VolumeGrid g, double sigma, int stride, int length, int lines, Func<int, int, int> index)
    {
        if (sigma < 0.05 || length < 2)
        {
            return;
        }

        var kernel = Kernel(sigma);
        var radius = kernel.Length / 2;
        Parallel.For(0, lines, () => new float[length], (line, _, buffer) =>
        {
            for (var i = 0; i < length; i++)
            {
                buffer[i] = data[index(line, i)];
            }

            for (var i = 0; i < length; i++)
            {
                double sum = 0;
                for (var t = -radius; t <= radius; t++)
                {
                    sum += kernel[t + radius] * buffer[Math.Clamp(i + t, 0, length - 1)];
                }

                data[index(line, i)] = (float)sum;
            }

            return buffer;
        }, _ => { });
    }

    private static double[] Kernel(double sigma)
    {
        var radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new double[2 * radius + 1];
        for (var i = -radius; i <= radius; i++)
        {
            k[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        }

        var total = k.Sum();
        for (var i = 0; i < k.Length; i++)
        {
            k[i] /= total;
        }

        return k;
    }
}
