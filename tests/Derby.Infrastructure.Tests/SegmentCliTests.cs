using System.Text.Json;
using Derby.Imaging.Gdcm;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Derby.Synthetic;
using Derby.Synthetic.Output;

namespace Derby.Infrastructure.Tests;

/// <summary>A small synthetic study (one patient with a missing slice), written once for the segment CLI tests.</summary>
public sealed class SegmentCliStudy : IDisposable
{
    public SegmentCliStudy() => Truth = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(
        new SyntheticStudyOptions(Directory, 41, StudyScale.Small) { Faults = [FaultKind.MissingSlice] }).Truth;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "derby-cli-segment", Guid.NewGuid().ToString("N"));

    public GroundTruth Truth { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, true);
}

/// <summary><c>derby segment</c> as a child process on a synthetic PET series, against the library called in-process.</summary>
public sealed class SegmentCliTests(SegmentCliStudy fixture) : IClassFixture<SegmentCliStudy>
{
    private readonly string study = fixture.Directory;
    private readonly GroundTruth truth = fixture.Truth;

    private string Folder(PatientTruth p, string modality = "PT") => Path.Combine(study, "sites", p.Site, "dicom", p.Pseudonym, modality);

    private PatientTruth Clean => truth.Patients.First(p => truth.Faults.All(f => f.Pseudonym != p.Pseudonym));

    /// <summary>The largest lesion's box (± 12 mm) in the PET grid, and the library's result on the same data path.</summary>
    private (VoxelBox Box, LesionSegmentation Expected) Library(PatientTruth patient, SegmentationSettings? settings = null)
    {
        var reader = new GdcmDicomFileReader();
        var slices = Directory.GetFiles(Folder(patient), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => new SliceSource(f, reader.Read(f).Dataset)).ToList();
        var series = Assert.Single(SeriesAssembler.Assemble(slices));
        var g = series.Geometry!;
        var suv = VolumeBuilder.BuildSuv(series, reader, SuvCalculator.Compute(series.Slices.Select(s => s.Dataset).ToList()).SuvFactor);
        var lesion = patient.Imaging!.Lesions[0];
        int Index(int axis, double mm, double spacing, int count) =>
            Math.Clamp((int)Math.Round((lesion.CenterMm[axis] + mm - g.FirstPosition[axis]) / spacing), 0, count - 1);
        var box = new VoxelBox(
            Index(0, -lesion.SemiAxesMm[0] - 12, g.PixelSpacing[1], g.Columns), Index(1, -lesion.SemiAxesMm[1] - 12, g.PixelSpacing[0], g.Rows),
            Index(2, -lesion.SemiAxesMm[2] - 12, g.SliceSpacing, g.Slices), Index(0, lesion.SemiAxesMm[0] + 12, g.PixelSpacing[1], g.Columns),
            Index(1, lesion.SemiAxesMm[1] + 12, g.PixelSpacing[0], g.Rows), Index(2, lesion.SemiAxesMm[2] + 12, g.SliceSpacing, g.Slices));
        return (box, LesionSegmenter.Segment(suv, g, box, settings));
    }

    private static string Text(VoxelBox b) => $"{b.X0},{b.Y0},{b.Z0},{b.X1},{b.Y1},{b.Z1}";

    [Fact]
    public async Task Segment_PrintsTheLibrarysResult_WithTheKeysInOrder()
    {
        var (box, expected) = Library(Clean);

        var (exit, stdout, stderr) = await Cli.RunAsync(study, null, "segment", "--pet", Folder(Clean), "--box", Text(box));

        Assert.True(exit == 0, stderr);
        Assert.True(expected.Voxels > 0);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(["voxels", "mtv_ml", "suv_max", "suv_mean", "suv_peak", "tlg", "threshold", "iterations"],
            root.EnumerateObject().Take(8).Select(p => p.Name));
        Assert.Equal(expected.Voxels, root.GetProperty("voxels").GetInt32());
        Assert.Equal(expected.MtvMl, root.GetProperty("mtv_ml").GetDouble());
        Assert.Equal(expected.SuvMax, root.GetProperty("suv_max").GetDouble());
        Assert.Equal(expected.SuvMean, root.GetProperty("suv_mean").GetDouble());
        Assert.Equal(expected.SuvPeak, root.GetProperty("suv_peak").GetDouble());
        Assert.Equal(expected.Tlg, root.GetProperty("tlg").GetDouble());
        Assert.Equal(expected.Threshold, root.GetProperty("threshold").GetDouble());
        Assert.Equal(expected.Iterations, root.GetProperty("iterations").GetInt32());
        Assert.Equal(expected.Background, root.GetProperty("background").GetDouble());
        Assert.Equal(expected.Converged, root.GetProperty("converged").GetBoolean());
        Assert.Equal([expected.SuvMaxVoxel.X, expected.SuvMaxVoxel.Y, expected.SuvMaxVoxel.Z],
            root.GetProperty("suv_max_voxel").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(expected.ThresholdHistory, root.GetProperty("threshold_history").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(expected.Warnings, root.GetProperty("warnings").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task Segment_UsesTheGivenThreshold()
    {
        var (box, _) = Library(Clean);
        var (_, expected) = Library(Clean, new SegmentationSettings { FixedThresholdSuv = 3.5 });

        var (exit, stdout, stderr) = await Cli.RunAsync(study, null, "segment", "--pet", Folder(Clean), "--box", Text(box), "--threshold", "3.5");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(3.5, json.RootElement.GetProperty("threshold").GetDouble());
        Assert.Equal(0, json.RootElement.GetProperty("iterations").GetInt32());
        Assert.Equal(expected.Voxels, json.RootElement.GetProperty("voxels").GetInt32());
    }

    [Theory]
    [InlineData("outside")]
    [InlineData("malformed")]
    [InlineData("ct")]
    [InlineData("refused")]
    public async Task Segment_ExitsNonZeroWithTheReason_WhenTheBoxOrTheSeriesIsWrong(string fault)
    {
        var refused = truth.Patients.Single(p => p.Pseudonym == truth.Faults.Single(f => f.Kind == nameof(FaultKind.MissingSlice)).Pseudonym);
        var (folder, box, reason) = fault switch
        {
            "outside" => (Folder(Clean), "0,0,0,10,10,999", "outside the series' grid"),
            "malformed" => (Folder(Clean), "1,2,3", "expected six integers"),
            "ct" => (Folder(Clean, "CT"), "0,0,0,5,5,5", "not a PET series"),
            _ => (Folder(refused), "0,0,0,5,5,5", "was refused"),
        };

        var (exit, stdout, stderr) = await Cli.RunAsync(study, null, "segment", "--pet", folder, "--box", box);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains(reason, stderr);
    }
}
