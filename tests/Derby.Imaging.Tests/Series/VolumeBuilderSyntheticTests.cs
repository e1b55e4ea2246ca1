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
    public void Build_GivesBitIdenticalVolumes_WithAndWithoutTheReadersFastPath(string modality)
    {
        // The GDCM reader decodes native 16-bit slices straight into floats (vectorised); through the plain interface the
        // same series goes through ReadFrame's long[] values. Unsigned CT and signed PET with per-slice slopes.
        var patient = study.UnfaultedPatients.Skip(2).First();
        var slices = study.Slices(patient, modality);
        var series = Assert.Single(SeriesAssembler.Assemble(slices));
        var plain = new PlainReader(study.Reader);

        float[] fast, slow;
        if (modality == "CT")
        {
            fast = VolumeBuilder.BuildHu(series, study.Reader);
            slow = VolumeBuilder.BuildHu(series, plain);
        }
        else
        {
            var factor = SuvCalculator.Compute(slices.Select(s => s.Dataset).ToList()).SuvFactor;
            fast = VolumeBuilder.BuildSuv(series, study.Reader, factor);
            slow = VolumeBuilder.BuildSuv(series, plain, factor);
        }

        Assert.True(plain.Frames > 0);
        Assert.Equal(slow.Length, fast.Length);
        for (var i = 0; i < fast.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(slow[i]) == BitConverter.SingleToInt32Bits(fast[i]), $"voxel {i}: {fast[i]:R} vs {slow[i]:R}");
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
