using System.Numerics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Derby.Imaging.Pairs;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Benchmarks;

/// <summary>
/// Building all 2.5D pairs of one lesion against the physical floor over the same voxels. PET 200 × 200 × 300 (3 mm
/// pixels, 2 mm slices), CT 512 × 512 × 240 (0.977 mm pixels, 1.25 mm slices, the liver's 300 mm), one ellipsoidal
/// lesion of semi-axes 30 × 25 × 30 mm crossing 30 PET slices, crop 64. The floor copies, for each of those 30 slices,
/// the 64 × 64 PET window and three 64 × 64 CT windows (the nearest CT slice and its neighbours, around the CT pixel
/// nearest the crop centre) and counts the slice's mask voxels: the same output size, no resampling, no normalisation.
/// Volumes are made once in GlobalSetup. Min and Median are shown because the build machine's 2 cores are shared: the
/// minimum is the least disturbed run.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PairBenchmarks
{
    private const int Crop = 64;

    private readonly PairSettings settings = new() { CropSize = Crop };
    private SeriesGeometry pet = null!;
    private SeriesGeometry ct = null!;
    private float[] suv = [];
    private float[] hu = [];
    private LesionMask mask = null!;

    [GlobalSetup]
    public void Setup()
    {
        const string frame = "1.2.826.0.1.3680043.10.543.8";
        pet = new SeriesGeometry(200, 200, 300, [3.0, 3.0], 2.0, [1, 0, 0, 0, 1, 0], [0, 0, 1], [-298.5, -298.5, -299], frame);
        var ctPixel = 500.0 / 512;
        ct = new SeriesGeometry(512, 512, 240, [ctPixel, ctPixel], 1.25, [1, 0, 0, 0, 1, 0], [0, 0, 1], [-250 + ctPixel / 2, -250 + ctPixel / 2, -150 + 0.625], frame);
        suv = new float[pet.Rows * pet.Columns * pet.Slices];
        for (var v = 0; v < suv.Length; v++)
        {
            suv[v] = 0.5f + (int)((long)v * 7919 % 1000) * 0.01f;
        }

        hu = new float[ct.Rows * ct.Columns * ct.Slices];
        for (var v = 0; v < hu.Length; v++)
        {
            hu[v] = -1000 + (int)((long)v * 104729 % 1400);
        }

        // Lesion centre (40, 20, 0) mm, semi-axes 30, 25, 30 mm: PET slices at z = -29 ... 29 mm (30 of them).
        var voxels = new List<(int X, int Y, int Z)>();
        for (var k = 0; k < pet.Slices; k++)
        {
            for (var r = 0; r < pet.Rows; r++)
            {
                for (var c = 0; c < pet.Columns; c++)
                {
                    var (x, y, z) = (-298.5 + 3 * c, -298.5 + 3 * r, -299.0 + 2 * k);
                    if (Sq((x - 40) / 30) + Sq((y - 20) / 25) + Sq(z / 30) <= 1)
                    {
                        voxels.Add((c, r, k));
                    }
                }
            }
        }

        var box = new VoxelBox(voxels.Min(p => p.X), voxels.Min(p => p.Y), voxels.Min(p => p.Z), voxels.Max(p => p.X), voxels.Max(p => p.Y), voxels.Max(p => p.Z));
        var values = new byte[box.Count];
        foreach (var (x, y, z) in voxels)
        {
            values[((z - box.Z0) * box.Height + (y - box.Y0)) * box.Width + (x - box.X0)] = 1;
        }

        mask = new LesionMask(box, values);
        var pairs = PairBuilder.Build(suv, pet, hu, ct, mask, settings).Pairs.Count;
        if (pairs != 30)
        {
            throw new InvalidOperationException($"The benchmark lesion crosses {pairs} PET slices, not 30");
        }
    }

    /// <summary>The floor: the same windows copied straight out of the volumes, and the ROI counts.</summary>
    [Benchmark(Baseline = true, Description = "Floor: copy PET + 3 CT windows per slice, count ROI")]
    public long CopyWindows()
    {
        var box = mask.Box;
        var (cx, cy) = ((box.X0 + box.X1) / 2, (box.Y0 + box.Y1) / 2);
        var (ctPlane, petPlane) = (ct.Rows * ct.Columns, pet.Rows * pet.Columns);
        long checksum = 0;
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            var roi = mask.CountOnSlice(z);
            if (roi == 0)
            {
                continue;
            }

            var petCrop = new float[Crop * Crop];
            var ctCrop = new float[3 * Crop * Crop];
            var (x0, y0) = (cx - Crop / 2, cy - Crop / 2);
            for (var j = 0; j < Crop; j++)
            {
                suv.AsSpan(z * petPlane + (y0 + j) * pet.Columns + x0, Crop).CopyTo(petCrop.AsSpan(j * Crop, Crop));
            }

            // The CT pixel and slice nearest the crop centre (axial grids: offsets and spacings).
            var (x, y, zmm) = (pet.FirstPosition[0] + cx * pet.PixelSpacing[1], pet.FirstPosition[1] + cy * pet.PixelSpacing[0], pet.FirstPosition[2] + z * pet.SliceSpacing);
            var u = (int)Math.Round((x - ct.FirstPosition[0]) / ct.PixelSpacing[1]) - Crop / 2;
            var v = (int)Math.Round((y - ct.FirstPosition[1]) / ct.PixelSpacing[0]) - Crop / 2;
            var k = Math.Clamp((int)Math.Round((zmm - ct.FirstPosition[2]) / ct.SliceSpacing), 1, ct.Slices - 2);
            for (var channel = 0; channel < 3; channel++)
            {
                for (var j = 0; j < Crop; j++)
                {
                    hu.AsSpan((k - 1 + channel) * ctPlane + (v + j) * ct.Columns + u, Crop).CopyTo(ctCrop.AsSpan((channel * Crop + j) * Crop, Crop));
                }
            }

            checksum += roi + (long)petCrop[Crop * Crop / 2] + (long)ctCrop[^1];
        }

        return checksum;
    }

    /// <summary>
    /// The memory the resampling cannot avoid: CT pixels are 3 times smaller than PET's, so a 64-pixel PET crop spans
    /// 197 CT columns and every crop row needs two CT rows of that span, in each of 3 CT slices. This streams exactly
    /// those rows (and the PET windows) and sums them: no interpolation, no normalisation.
    /// </summary>
    [Benchmark(Description = "Reference: read the CT rows bilinear needs, sum")]
    public double ReadCtRows()
    {
        var box = mask.Box;
        var (cx, cy) = ((box.X0 + box.X1) / 2, (box.Y0 + box.Y1) / 2);
        var (ctPlane, petPlane) = (ct.Rows * ct.Columns, pet.Rows * pet.Columns);
        var ratio = pet.PixelSpacing[1] / ct.PixelSpacing[1];
        var span = (int)Math.Ceiling((Crop - 1) * ratio) + 2;
        double sum = 0;
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            if (mask.CountOnSlice(z) == 0)
            {
                continue;
            }

            var (x0, y0) = (cx - Crop / 2, cy - Crop / 2);
            for (var j = 0; j < Crop; j++)
            {
                sum += Sum(suv.AsSpan(z * petPlane + (y0 + j) * pet.Columns + x0, Crop));
            }

            var (x, y, zmm) = (pet.FirstPosition[0] + x0 * pet.PixelSpacing[1], pet.FirstPosition[1] + y0 * pet.PixelSpacing[0], pet.FirstPosition[2] + z * pet.SliceSpacing);
            var u = (int)Math.Floor((x - ct.FirstPosition[0]) / ct.PixelSpacing[1]);
            var v = (y - ct.FirstPosition[1]) / ct.PixelSpacing[0];
            var k = Math.Clamp((int)Math.Round((zmm - ct.FirstPosition[2]) / ct.SliceSpacing), 1, ct.Slices - 2);
            for (var channel = 0; channel < 3; channel++)
            {
                for (var j = 0; j < Crop; j++)
                {
                    var row = (int)Math.Floor(v + j * ratio);
                    sum += Sum(hu.AsSpan((k - 1 + channel) * ctPlane + row * ct.Columns + u, span));
                    sum += Sum(hu.AsSpan((k - 1 + channel) * ctPlane + (row + 1) * ct.Columns + u, span));
                }
            }
        }

        return sum;
    }

    /// <summary>Derby: centroid, PET crops, nearest CT slices, bilinear CT resampling onto the PET pixels, normalisation.</summary>
    [Benchmark(Description = "PairBuilder.Build")]
    public int Build() => PairBuilder.Build(suv, pet, hu, ct, mask, settings).Pairs.Count;

    /// <summary>
    /// Derby as stored: Build, then PairSetFile.Write (serialisation and its SHA-256) to Stream.Null, so the time is the
    /// format's own work and not a growing MemoryStream's copies (a file stream in practice).
    /// </summary>
    [Benchmark(Description = "PairBuilder.Build + PairSetFile.Write")]
    public int BuildAndWrite()
    {
        var set = PairBuilder.Build(suv, pet, hu, ct, mask, settings);
        PairSetFile.Write(Stream.Null, set);
        return set.Pairs.Count;
    }

    private static double Sq(double v) => v * v;

    private static float Sum(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var acc = Vector<float>.Zero;
        foreach (var vector in vectors)
        {
            acc += vector;
        }

        var total = Vector.Sum(acc);
        for (var i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }
}
