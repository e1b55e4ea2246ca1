using Derby.Imaging.Gdcm;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Derby.Synthetic;
using Derby.Synthetic.Output;

namespace Derby.Imaging.Tests.Segmentation;

/// <summary>
/// A synthetic study written once with GDCM at 4 mm PET pixels (the small scale's 31 patients on a 96 × 96 PET matrix over
/// its 384 mm field of view; slices 3.0, 3.27 or 4.0 mm by site; the small scale's own 48 × 48 has 8 mm pixels, too coarse
/// for a 2 cm lesion), each patient's PET read back the platform's way: GDCM reader, SeriesAssembler, SuvCalculator,
/// VolumeBuilder.BuildSuv.
/// </summary>
public sealed class SegmentationStudyFixture : IDisposable
{
    public const ulong Seed = 20261127;

    /// <summary>The small scale's cohorts with a 4 mm PET grid (CT kept coarse: segmentation reads only PET).</summary>
    public static StudyScale Scale { get; } = new("small-4mm", StudyScale.Small.CohortSizes, new ImageGeometry(PetMatrix: 96, CtMatrix: 48, AxialExtentMm: 128));

    private readonly Dictionary<string, (SeriesGeometry Geometry, float[] Suv)> volumes = new(StringComparer.Ordinal);

    public SegmentationStudyFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "derby-segmentation-" + Guid.NewGuid().ToString("N"));
        Truth = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(Directory, Seed, Scale)).Truth;
    }

    public string Directory { get; }

    public GroundTruth Truth { get; }

    public GdcmDicomFileReader Reader { get; } = new();

    public string PetFolder(PatientTruth patient) => Path.Combine(Directory, "sites", patient.Site, "dicom", patient.Pseudonym, "PT");

    /// <summary>The patient's PET as SUV through the platform's reading path (cached).</summary>
    public (SeriesGeometry Geometry, float[] Suv) Pet(PatientTruth patient)
    {
        lock (volumes)
        {
            if (!volumes.TryGetValue(patient.Pseudonym, out var volume))
            {
                var slices = System.IO.Directory.GetFiles(PetFolder(patient), "*.dcm").Order(StringComparer.Ordinal)
                    .Select(path => new SliceSource(path, Reader.Read(path).Dataset)).ToList();
                var series = Assert.Single(SeriesAssembler.Assemble(slices));
                var factor = SuvCalculator.Compute(slices.Select(s => s.Dataset).ToList()).SuvFactor;
                volume = (series.Geometry!, VolumeBuilder.BuildSuv(series, Reader, factor));
                volumes[patient.Pseudonym] = volume;
            }

            return volume;
        }
    }

    /// <summary>Column, row, slice of a patient-space point (LPS mm), fractional, through the series' geometry.</summary>
    public static (double C, double R, double K) ToVoxel(SeriesGeometry g, double x, double y, double z)
    {
        double dx = x - g.FirstPosition[0], dy = y - g.FirstPosition[1], dz = z - g.FirstPosition[2];
        var o = g.Orientation;
        var c = (dx * o[0] + dy * o[1] + dz * o[2]) / g.PixelSpacing[1];
        var r = (dx * o[3] + dy * o[4] + dz * o[5]) / g.PixelSpacing[0];
        var k = (dx * g.Normal[0] + dy * g.Normal[1] + dz * g.Normal[2]) / g.SliceSpacing;
        return (c, r, k);
    }

    /// <summary>Patient-space centre (LPS mm) of voxel (c, r, k).</summary>
    public static (double X, double Y, double Z) ToPatient(SeriesGeometry g, int c, int r, int k)
    {
        var o = g.Orientation;
        double a = c * g.PixelSpacing[1], b = r * g.PixelSpacing[0], s = k * g.SliceSpacing;
        return (g.FirstPosition[0] + a * o[0] + b * o[3] + s * g.Normal[0],
            g.FirstPosition[1] + a * o[1] + b * o[4] + s * g.Normal[1],
            g.FirstPosition[2] + a * o[2] + b * o[5] + s * g.Normal[2]);
    }

    /// <summary>The lesion's bounding box in voxels, grown by <paramref name="marginMm"/>, clipped to the grid.</summary>
    public static VoxelBox BoxAround(SeriesGeometry g, LesionTruth lesion, double marginMm)
    {
        var (c, r, k) = ToVoxel(g, lesion.CenterMm[0], lesion.CenterMm[1], lesion.CenterMm[2]);
        var hc = (lesion.SemiAxesMm[0] + marginMm) / g.PixelSpacing[1];
        var hr = (lesion.SemiAxesMm[1] + marginMm) / g.PixelSpacing[0];
        var hk = (lesion.SemiAxesMm[2] + marginMm) / g.SliceSpacing;
        return new VoxelBox(
            Math.Max(0, (int)Math.Floor(c - hc)), Math.Max(0, (int)Math.Floor(r - hr)), Math.Max(0, (int)Math.Floor(k - hk)),
            Math.Min(g.Columns - 1, (int)Math.Ceiling(c + hc)), Math.Min(g.Rows - 1, (int)Math.Ceiling(r + hr)), Math.Min(g.Slices - 1, (int)Math.Ceiling(k + hk)));
    }

    /// <summary>The true mask {ρ ≤ 1} at voxel (c, r, k)'s centre.</summary>
    public static bool Inside(SeriesGeometry g, LesionTruth lesion, int c, int r, int k)
    {
        var (x, y, z) = ToPatient(g, c, r, k);
        var dx = (x - lesion.CenterMm[0]) / lesion.SemiAxesMm[0];
        var dy = (y - lesion.CenterMm[1]) / lesion.SemiAxesMm[1];
        var dz = (z - lesion.CenterMm[2]) / lesion.SemiAxesMm[2];
        return dx * dx + dy * dy + dz * dz <= 1;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the next run uses a new one.
        }
    }
}

/// <summary>One 4 mm synthetic study shared by the segmentation tests.</summary>
[CollectionDefinition(Name)]
public sealed class SegmentationStudyCollection : ICollectionFixture<SegmentationStudyFixture>
{
    public const string Name = "synthetic study (segmentation)";
}
