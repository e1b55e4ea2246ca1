using BenchmarkDotNet.Attributes;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Benchmarks;

/// <summary>
/// One lesion segmented in a 100 × 100 × 100 box of a 200 × 200 × 300 PET volume (4 mm voxels) against the physical floor:
/// one pass summing the same box's voxels out of the same volume. The lesion is a sphere of about 60 voxels' diameter (SUV 8
/// on a liver-like 2, with a necrotic core of a third of its radius at 0.5), blurred by a 6.5 mm FWHM Gaussian, with a fixed
/// seed's Gaussian noise (SD 0.15 SUV).
/// </summary>
[MemoryDiagnoser]
public class SegmentationBenchmarks
{
    private const int Columns = 200, Rows = 200, Slices = 300;
    private const double VoxelMm = 4;

    private float[] suv = [];
    private SeriesGeometry geometry = null!;
    private readonly VoxelBox box = new(50, 50, 100, 149, 149, 199);

    [GlobalSetup]
    public void Setup()
    {
        geometry = new SeriesGeometry(Rows, Columns, Slices, [VoxelMm, VoxelMm], VoxelMm, [1, 0, 0, 0, 1, 0], [0, 0, 1], [0, 0, 0], null);
        suv = new float[Columns * Rows * Slices];
        const double cx = 99.6, cy = 100.3, cz = 149.8, radius = 30, core = 10;
        Parallel.For(0, Slices, k =>
        {
            for (var r = 0; r < Rows; r++)
            {
                for (var c = 0; c < Columns; c++)
                {
                    var d = Math.Sqrt((c - cx) * (c - cx) + (r - cy) * (r - cy) + (k - cz) * (k - cz));
                    suv[(k * Rows + r) * Columns + c] = d <= core ? 0.5f : d <= radius ? 8f : 2f;
                }
            }
        });

        Blur(6.5 / 2.3548 / VoxelMm);
        var random = new Random(5);
        for (var i = 0; i < suv.Length; i++)
        {
            var u1 = 1 - random.NextDouble();
            suv[i] += (float)(0.15 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        var check = LesionSegmenter.Segment(suv, geometry, box);
        Console.WriteLine($"// segmentation: {check.Voxels} voxels ({check.MtvMl:0.0} ml; sphere {4.0 / 3 * Math.PI * Math.Pow(radius * VoxelMm, 3) / 1000:0.0} ml), " +
            $"{check.Iterations} threshold updates, T {check.Threshold:0.000}, warnings: {check.Warnings.Count}");
    }

    /// <summary>The floor: every voxel of the box read once from the volume and summed, row by row, with SIMD (memory-bound).</summary>
    [Benchmark(Baseline = true, Description = "single pass over the box's voxels (SIMD sum)")]
    public double SumBox()
    {
        double total = 0;
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            for (var y = box.Y0; y <= box.Y1; y++)
            {
                var row = suv.AsSpan((z * Rows + y) * Columns + box.X0, box.Width);
                var acc = System.Numerics.Vector<float>.Zero;
                var n = System.Numerics.Vector<float>.Count;
                var x = 0;
                for (; x <= row.Length - n; x += n)
                {
                    acc += new System.Numerics.Vector<float>(row[x..]);
                }

                var s = System.Numerics.Vector.Sum(acc);
                for (; x < row.Length; x++)
                {
                    s += row[x];
                }

                total += s;
            }
        }

        return total;
    }

    /// <summary>The same pass, one float at a time (bound by the latency of the additions, not by memory).</summary>
    [Benchmark(Description = "single pass over the box's voxels (scalar sum)")]
    public double SumBoxScalar()
    {
        double total = 0;
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            for (var y = box.Y0; y <= box.Y1; y++)
            {
                var row = suv.AsSpan((z * Rows + y) * Columns + box.X0, box.Width);
                float s = 0;
                foreach (var v in row)
                {
                    s += v;
                }

                total += s;
            }
        }

        return total;
    }

    [Benchmark(Description = "LesionSegmenter.Segment")]
    public int Segment() => LesionSegmenter.Segment(suv, geometry, box).Voxels;

    /// <summary>The opt-in options of ADR 0013: the region grown on a 3 mm FWHM smoothed copy, the source from the region's hotter part.</summary>
    [Benchmark(Description = "LesionSegmenter.Segment, smoothed copy (option)")]
    public int SegmentSmoothed() => LesionSegmenter.Segment(suv, geometry, box, Smoothed).Voxels;

    private static readonly SegmentationSettings Smoothed = new() { SmoothingFwhmMm = 3, SourceFraction = 0.7, ThresholdFraction = 0.48 };

    private void Blur(double sigma)
    {
        var half = (int)Math.Ceiling(4 * sigma);
        var kernel = Enumerable.Range(-half, 2 * half + 1).Select(t => Math.Exp(-0.5 * t * t / (sigma * sigma))).ToArray();
        var total = kernel.Sum();
        void Pass(int length, int lines, Func<int, int, int> index) => Parallel.For(0, lines, () => new float[length], (l, _, line) =>
        {
            for (var i = 0; i < length; i++)
            {
                line[i] = suv[index(l, i)];
            }

            for (var i = 0; i < length; i++)
            {
                double s = 0;
                for (var t = -half; t <= half; t++)
                {
                    s += kernel[t + half] * line[Math.Clamp(i + t, 0, length - 1)];
                }

                suv[index(l, i)] = (float)(s / total);
            }

            return line;
        }, _ => { });
        Pass(Columns, Rows * Slices, (l, i) => l * Columns + i);
        Pass(Rows, Columns * Slices, (l, j) => (l / Columns * Rows + j) * Columns + l % Columns);
        Pass(Slices, Columns * Rows, (l, k) => k * Columns * Rows + l);
    }
}
