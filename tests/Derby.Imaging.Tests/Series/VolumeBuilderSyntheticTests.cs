using Derby.Imaging.Dicom;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Series;
using Derby.Synthetic;
using Derby.Synthetic.Clinical;
using Derby.Synthetic.Phantom;

namespace Derby.Imaging.Tests.Series;

/// <summary>Volumes of a synthetic patient against what the generator rendered (Derby.Synthetic.Phantom.Renderer).</summary>
[Collection(SyntheticStudyCollection.Name)]
public sealed class VolumeBuilderSyntheticTests(SyntheticStudyFixture study)
{
    [Fact]
    public void BuildHu_GivesAirOutsideTheBodyAndTheRenderedLiverHu()
    {
        var patient = study.UnfaultedPatients.First();
        var series = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "CT")));
        var g = series.Geometry!;

        var hu = VolumeBuilder.BuildHu(series, study.Reader);

        Assert.Equal(g.Slices * g.Rows * g.Columns, hu.Length);
        // The anatomy is re-created from the generator's own random stream (its first draws), so the masks are exact.
        var anatomy = Anatomy.Create(ClinicalGenerator.Generate(StudyScale.Small, SyntheticStudyFixture.Seed).Single(p => p.Pseudonym == patient.Pseudonym),
            StudyScale.Small.Geometry.AxialExtentMm / 2, SyntheticRandom.For(SyntheticStudyFixture.Seed, patient.Pseudonym));
        double liverSum = 0;
        var liverCount = 0;
        var airCount = 0;
        for (var k = 0; k < g.Slices; k++)
        {
            var z = g.FirstPosition[2] + k * g.SliceSpacing;
            for (var r = 0; r < g.Rows; r++)
            {
                var y = g.FirstPosition[1] + r * g.PixelSpacing[0];
                for (var c = 0; c < g.Columns; c++)
                {
                    var x = g.FirstPosition[0] + c * g.PixelSpacing[1];
                    var value = hu[(k * g.Rows + r) * g.Columns + c];
                    var tissue = anatomy.TissueAt(x, y, z);
                    if (tissue == Tissue.Air && anatomy.LesionAt(x, y, z) is null)
                    {
                        Assert.Equal(-1000f, value);
                        airCount++;
                    }
                    else if (tissue == Tissue.Liver && anatomy.LesionAt(x, y, z) is null)
                    {
                        liverSum += value;
                        liverCount++;
                    }
                }
            }
        }

        // Liver: 62 HU + the site's offset, ± 4 HU of smooth texture and the scanner's noise (9-14 HU), averaged over
        // thousands of voxels; the corners of every slice are outside the body.
        var expected = 62 + ScannerProfile.For(patient.Site).CtOffsetHu;
        Assert.True(liverCount > 1000, $"{liverCount} liver voxels");
        Assert.True(airCount > 1000, $"{airCount} air voxels");
        Assert.Equal(expected, liverSum / liverCount, 2.0);
        Assert.Equal(-1000f, hu[0]);
        Assert.Equal(-1000f, hu[^1]);
    }

    [Fact]
    public void BuildSuv_MaximumEqualsTheGeneratorsSuvMaxImage()
    {
        foreach (var patient in study.UnfaultedPatients.Take(3))
        {
            var slices = study.Slices(patient, "PT");
            var series = Assert.Single(SeriesAssembler.Assemble(slices));
            var factor = SuvCalculator.Compute(slices.Select(s => s.Dataset).ToList()).SuvFactor;

            var suv = VolumeBuilder.BuildSuv(series, study.Reader, factor);

            var truth = patient.Imaging!.SuvMaxImage;
            var max = suv.Max();
            // The generator's maximum is stored × slope × factor in double; the volume holds each voxel rounded once to
            // float, so its maximum is exactly that value rounded to float (and within float precision of it).
            Assert.Equal((float)truth, max);
            Assert.True(Math.Abs(max - truth) <= 6e-8 * truth, $"{patient.Pseudonym}: {max:R} vs {truth:R}");
            Assert.Equal(factor, patient.Imaging.SuvFactor, patient.Imaging.SuvFactor * 1e-12);
        }
    }

    [Theory]
    [InlineData("CT")]
    [InlineData("PT")]
    public void Build_GivesBitIdenticalVolumes_ByEveryDecodePath(string modality)
    {
        // Three ways to the same volume: the native pixel bytes located by Read and read straight from the files (into a
        // reused buffer too); the GDCM reader's own fast path (slices without a location); and the plain interface, where
        // every slice goes through ReadFrame's long[] values. Unsigned CT and signed PET with per-slice slopes.
        var patient = study.UnfaultedPatients.Skip(2).First();
        var slices = study.Slices(patient, modality);
        Assert.All(slices, s => Assert.NotNull(s.NativePixelData));
        var unlocated = slices.Select(s => s with { NativePixelData = null }).ToList();
        var series = Assert.Single(SeriesAssembler.Assemble(slices));
        var seriesUnlocated = Assert.Single(SeriesAssembler.Assemble(unlocated));
        var plain = new PlainReader(study.Reader);
        var reused = new float[VolumeBuilder.VoxelCount(series) + 5];
        Array.Fill(reused, float.NaN);

        float[] native, fast, slow;
        if (modality == "CT")
        {
            native = VolumeBuilder.BuildHu(series, plain);
            Assert.Equal(0, plain.Frames);
            fast = VolumeBuilder.BuildHu(seriesUnlocated, study.Reader);
            slow = VolumeBuilder.BuildHu(seriesUnlocated, plain);
            Assert.Equal(VolumeBuilder.VoxelCount(series), VolumeBuilder.BuildHu(series, plain, reused).Length);
        }
        else
        {
            var factor = SuvCalculator.Compute(slices.Select(s => s.Dataset).ToList()).SuvFactor;
            native = VolumeBuilder.BuildSuv(series, plain, factor);
            Assert.Equal(0, plain.Frames);
            fast = VolumeBuilder.BuildSuv(seriesUnlocated, study.Reader, factor);
            slow = VolumeBuilder.BuildSuv(seriesUnlocated, plain, factor);
            reused = native.Concat(new float[5]).ToArray();
        }

        Assert.True(plain.Frames > 0);
        Assert.Equal(slow.Length, fast.Length);
        Assert.Equal(slow.Length, native.Length);
        for (var i = 0; i < fast.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(slow[i]) == BitConverter.SingleToInt32Bits(fast[i]), $"voxel {i}: {fast[i]:R} vs {slow[i]:R}");
            Assert.True(BitConverter.SingleToInt32Bits(slow[i]) == BitConverter.SingleToInt32Bits(native[i]), $"voxel {i}: {native[i]:R} vs {slow[i]:R}");
            Assert.True(BitConverter.SingleToInt32Bits(slow[i]) == BitConverter.SingleToInt32Bits(reused[i]), $"voxel {i} (reused buffer): {reused[i]:R} vs {slow[i]:R}");
        }
    }

    [Fact]
    public void Build_RefusesAFileThatChangedAfterItWasRead()
    {
        var patient = study.UnfaultedPatients.Skip(3).First();
        var slices = study.Slices(patient, "CT");
        var copy = Path.Combine(Path.GetTempPath(), $"derby-changed-{Guid.NewGuid():N}");
        Directory.CreateDirectory(copy);
        try
        {
            var copied = slices.Select(s =>
            {
                var path = Path.Combine(copy, Path.GetFileName(s.Path));
                File.Copy(s.Path, path);
                return SliceSource.From(study.Reader.Read(path));
            }).ToList();
            var series = Assert.Single(SeriesAssembler.Assemble(copied));
            File.AppendAllText(series.Slices[1].Path, "x");

            var error = Assert.Throws<DicomReadException>(() => VolumeBuilder.BuildHu(series, study.Reader));

            Assert.Contains("changed after it was read", error.Reason, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>The GDCM reader seen only through <see cref="IDicomFileReader"/>, so VolumeBuilder takes the ReadFrame path.</summary>
    private sealed class PlainReader(IDicomFileReader inner) : IDicomFileReader
    {
        private int frames;

        public int Frames => frames;

        public DicomFile Read(string path) => inner.Read(path);

        public DicomFrame ReadFrame(string path, int frame = 0)
        {
            Interlocked.Increment(ref frames);
            return inner.ReadFrame(path, frame);
        }
    }

    [Fact]
    public void BuildHu_Throws_WhenTheSeriesWasRefused()
    {
        var patient = study.Patient(study.FaultedPatient(Derby.Synthetic.Output.FaultKind.MissingSlice));
        var series = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "CT")));

        var error = Assert.Throws<InvalidOperationException>(() => VolumeBuilder.BuildHu(series, study.Reader));

        Assert.Contains("slice missing between", error.Message, StringComparison.Ordinal);
    }
}
