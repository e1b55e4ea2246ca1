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

    [Fact]
    public void BuildHu_Throws_WhenTheSeriesWasRefused()
    {
        var patient = study.Patient(study.FaultedPatient(Derby.Synthetic.Output.FaultKind.MissingSlice));
        var series = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "CT")));

        var error = Assert.Throws<InvalidOperationException>(() => VolumeBuilder.BuildHu(series, study.Reader));

        Assert.Contains("slice missing between", error.Message, StringComparison.Ordinal);
    }
}
