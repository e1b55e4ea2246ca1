using Derby.Imaging.Dicom;
using Derby.Imaging.Series;
using Derby.Synthetic.Output;

namespace Derby.Imaging.Tests.Series;

/// <summary>The synthetic generator's PET and CT series, written with GDCM and read back, assembled against its ground truth.</summary>
[Collection(SyntheticStudyCollection.Name)]
public sealed class SeriesAssemblerSyntheticTests(SyntheticStudyFixture study)
{
    [Fact]
    public void Assemble_GivesValidSeriesEqualToTruth_ForEveryPetAndCtSeries()
    {
        var checkedSeries = 0;
        foreach (var patient in study.UnfaultedPatients)
        {
            foreach (var (modality, truth) in new[] { ("PT", patient.Imaging!.Pet), ("CT", patient.Imaging!.Ct) })
            {
                var assembly = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, modality)));

                Assert.True(assembly.IsValid, $"{patient.Pseudonym} {modality}: {string.Join(" | ", assembly.Problems)}");
                Assert.Equal(truth.SeriesInstanceUid, assembly.SeriesInstanceUid);
                Assert.Equal(modality, assembly.Modality);
                var g = assembly.Geometry!;
                Assert.Equal(truth.Slices, g.Slices);
                Assert.Equal(truth.Rows, g.Rows);
                Assert.Equal(truth.Columns, g.Columns);
                // Written as decimal strings rounded to 1e-6 mm (pixel spacing) and 1e-4 mm (positions).
                Assert.Equal(truth.PixelSpacingMm[0], g.PixelSpacing[0], 1e-6);
                Assert.Equal(truth.PixelSpacingMm[1], g.PixelSpacing[1], 1e-6);
                Assert.Equal(truth.SliceThicknessMm, g.SliceSpacing, 1e-4);
                for (var axis = 0; axis < 3; axis++)
                {
                    Assert.Equal(truth.FirstPositionMm[axis], g.FirstPosition[axis], 1e-4);
                }

                Assert.Equal([1, 0, 0, 0, 1, 0], g.Orientation);
                Assert.Equal([0, 0, 1], g.Normal);
                Assert.Equal(patient.Imaging.FrameOfReferenceUid, g.FrameOfReferenceUid);
                // Ascending along the normal (+z here): the instance numbers the generator wrote run the same way.
                Assert.Equal(Enumerable.Range(1, truth.Slices), assembly.Slices.Select(s => (int)s.Dataset.GetNumber(DicomTags.InstanceNumber)!.Value));
                checkedSeries++;
            }
        }

        Assert.Equal(2 * (study.Truth.Patients.Count - 2), checkedSeries);
    }

    [Fact]
    public void Assemble_SortsTheSame_WhenFileOrderIsShuffled()
    {
        var patient = study.UnfaultedPatients.First();
        var slices = study.Slices(patient, "CT");
        var expected = Assert.Single(SeriesAssembler.Assemble(slices)).Slices.Select(s => s.Path).ToList();

        foreach (var seed in new[] { 1, 2, 3 })
        {
            var shuffled = slices.ToArray();
            new Random(seed).Shuffle(shuffled);
            Assert.NotEqual(expected, shuffled.Select(s => s.Path));

            var assembly = Assert.Single(SeriesAssembler.Assemble(shuffled));

            Assert.True(assembly.IsValid);
            Assert.Equal(expected, assembly.Slices.Select(s => s.Path));
        }
    }

    [Theory]
    [InlineData("PT")]
    [InlineData("CT")]
    public void Assemble_RefusesSeriesNamingTheGap_WhenGeneratorDroppedASlice(string modality)
    {
        var patient = study.Patient(study.FaultedPatient(FaultKind.MissingSlice));
        var truth = modality == "PT" ? patient.Imaging!.Pet : patient.Imaging!.Ct;
        // The generator skips slice Nz / 2 of the full grid: truth.Slices is what was written (Nz − 1).
        var skipped = (truth.Slices + 1) / 2;
        var below = truth.FirstPositionMm[2] + (skipped - 1) * truth.SliceThicknessMm;
        var above = truth.FirstPositionMm[2] + (skipped + 1) * truth.SliceThicknessMm;

        var assembly = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, modality)));

        Assert.False(assembly.IsValid);
        Assert.Null(assembly.Geometry);
        var problem = Assert.Single(assembly.Problems);
        Assert.StartsWith("slice missing between ", problem, StringComparison.Ordinal);
        Assert.Contains($"between {Mm(below)} mm ({skipped:D4}.dcm) and {Mm(above)} mm ({skipped + 2:D4}.dcm) along the normal", problem, StringComparison.Ordinal);
        Assert.Contains($"(expected spacing {Mm(truth.SliceThicknessMm)} mm)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_RefusesCtSeries_WhenGeneratorDisplacedASliceByHalfItsSpacing()
    {
        var patient = study.Patient(study.FaultedPatient(FaultKind.InconsistentSpacing));
        var ct = patient.Imaging!.Ct;
        var displaced = ct.Slices / 3;
        var name = $"{displaced + 1:D4}.dcm";

        var assembly = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "CT")));
        var pet = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "PT")));

        Assert.False(assembly.IsValid);
        Assert.Null(assembly.Geometry);
        // The displaced slice leaves a gap of 1.5 and one of 0.5 spacings around it: both named, with that file.
        Assert.Equal(2, assembly.Problems.Count);
        Assert.All(assembly.Problems, p =>
        {
            Assert.StartsWith("uneven slice spacing: ", p, StringComparison.Ordinal);
            Assert.Contains(name, p, StringComparison.Ordinal);
            Assert.Contains($"the series' spacing is {Mm(ct.SliceThicknessMm)} mm", p, StringComparison.Ordinal);
        });
        Assert.Contains(assembly.Problems, p => p.StartsWith($"uneven slice spacing: {Mm(1.5 * ct.SliceThicknessMm)} mm", StringComparison.Ordinal));
        Assert.Contains(assembly.Problems, p => p.StartsWith($"uneven slice spacing: {Mm(0.5 * ct.SliceThicknessMm)} mm", StringComparison.Ordinal));
        Assert.True(pet.IsValid, string.Join(" | ", pet.Problems));
    }

    [Fact]
    public void Assemble_GivesTwoAssemblies_WhenPetAndCtFilesAreMixedInOneList()
    {
        var patient = study.UnfaultedPatients.Skip(1).First();
        var pet = study.Slices(patient, "PT");
        var ct = study.Slices(patient, "CT");
        var mixed = pet.Concat(ct).ToArray();
        new Random(7).Shuffle(mixed);

        var assemblies = SeriesAssembler.Assemble(mixed);

        Assert.Equal(2, assemblies.Count);
        Assert.All(assemblies, a => Assert.True(a.IsValid, string.Join(" | ", a.Problems)));
        var petAssembly = Assert.Single(assemblies, a => a.Modality == "PT");
        var ctAssembly = Assert.Single(assemblies, a => a.Modality == "CT");
        Assert.Equal(patient.Imaging!.Pet.SeriesInstanceUid, petAssembly.SeriesInstanceUid);
        Assert.Equal(patient.Imaging.Ct.SeriesInstanceUid, ctAssembly.SeriesInstanceUid);
        Assert.Equal(pet.Count, petAssembly.Slices.Count);
        Assert.Equal(ct.Count, ctAssembly.Slices.Count);
        Assert.Equal(SeriesAssembler.Assemble(pet)[0].Slices.Select(s => s.Path), petAssembly.Slices.Select(s => s.Path));
    }

    private static string Mm(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
