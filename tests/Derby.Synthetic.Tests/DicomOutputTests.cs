using System.Security.Cryptography;
using Derby.Imaging.Gdcm;

namespace Derby.Synthetic.Tests;

/// <summary>The written DICOM, checked by tools the project did not write: dcmtk's dcmdump and pydicom.</summary>
public sealed class DicomOutputTests(StudyFixture study) : IClassFixture<StudyFixture>
{
    private static IEnumerable<string> DicomFiles(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "sites"), "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [Fact]
    public void EveryFile_ParsesWithDcmdump()
    {
        var files = DicomFiles(study.Directory).ToList();
        Assert.Equal(study.Result.DicomFiles, files.Count);

        foreach (var batch in files.Chunk(400))
        {
            var (exit, stdout, stderr) = StudyFixture.Run("dcmdump", ["-q", .. batch]);
            Assert.True(exit == 0, $"dcmdump failed: {stderr}");
            Assert.DoesNotContain("E: ", stderr);
            Assert.Equal(batch.Length, stdout.Split('\n').Count(l => l.StartsWith("(7fe0,0010)", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Pydicom_ComputesTheGeneratorsSuvFromTheWrittenTags()
    {
        var read = study.Pydicom;

        Assert.Equal(study.Result.DicomFiles, read.GetProperty("files").GetInt32());
        foreach (var patient in study.Truth.Patients)
        {
            var entry = read.GetProperty("patients").GetProperty(patient.Pseudonym);
            var truth = patient.Imaging!;
            Assert.Equal(truth.SuvFactor, entry.GetProperty("suv_factor").GetDouble(), truth.SuvFactor * 1e-9);
            Assert.Equal(truth.SuvMaxImage, entry.GetProperty("suv_max").GetDouble(), truth.SuvMaxImage * 1e-9);
        }
    }

    [Fact]
    public void Series_HaveConsistentGeometry_AndShareFrameOfReferenceAndStudy()
    {
        var read = study.Pydicom;

        foreach (var patient in study.Truth.Patients)
        {
            var entry = read.GetProperty("patients").GetProperty(patient.Pseudonym);
            var truth = patient.Imaging!;
            Assert.True(entry.GetProperty("shared_frame_of_reference").GetBoolean());
            Assert.True(entry.GetProperty("shared_study").GetBoolean());
            foreach (var (key, series) in new[] { ("pt", truth.Pet), ("ct", truth.Ct) })
            {
                var s = entry.GetProperty(key);
                Assert.True(s.GetProperty("spacing_ok").GetBoolean(), $"{patient.Pseudonym} {key} spacing");
                Assert.Equal(series.Slices, s.GetProperty("slices").GetInt32());
                Assert.Equal(series.Rows, s.GetProperty("rows").GetInt32());
                Assert.Equal(series.PixelSpacingMm[0], s.GetProperty("pixel_spacing")[0].GetDouble(), 1e-6);
                Assert.Equal([series.SeriesInstanceUid], s.GetProperty("series_uids").EnumerateArray().Select(u => u.GetString()));
            }
        }
    }

    [Fact]
    public void Files_AreDeidentified_ThePseudonymIsTheOnlyIdentifier()
    {
        var read = study.Pydicom;

        foreach (var patient in study.Truth.Patients)
        {
            foreach (var key in new[] { "pt", "ct" })
            {
                var s = read.GetProperty("patients").GetProperty(patient.Pseudonym).GetProperty(key);
                Assert.Equal([patient.Pseudonym], s.GetProperty("patient_ids").EnumerateArray().Select(u => u.GetString()));
                Assert.Equal([patient.Pseudonym], s.GetProperty("patient_names").EnumerateArray().Select(u => u.GetString()));
                Assert.Empty(s.GetProperty("phi_tags").EnumerateArray());
                Assert.Equal(["NO"], s.GetProperty("burned_in").EnumerateArray().Select(u => u.GetString()));
                // Only HWMU's Philips SUV group is private, and it is kept for quantitation.
                Assert.Equal(patient.Site == "HWMU" && key == "pt" ? patient.Imaging!.Pet.Slices * 3 : 0, s.GetProperty("private_tags").GetInt32());
            }
        }
    }

    [Fact]
    public void SameSeed_GivesByteIdenticalFiles_AndAnotherSeedDiffers()
    {
        var again = Path.Combine(Path.GetTempPath(), "derby-synth-tests", Guid.NewGuid().ToString("N"));
        var other = Path.Combine(Path.GetTempPath(), "derby-synth-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var generator = new SyntheticStudyGenerator(new GdcmDicomFileWriter());
            generator.Generate(new SyntheticStudyOptions(again, StudyFixture.Seed, StudyScale.Small));
            generator.Generate(new SyntheticStudyOptions(other, StudyFixture.Seed + 1, StudyScale.Small));

            var first = Hashes(study.Directory);
            var second = Hashes(again);
            var third = Hashes(other);
            Assert.Equal(first.Keys, second.Keys);
            Assert.All(first, kv => Assert.Equal(kv.Value, second[kv.Key]));
            var shared = first.Keys.Intersect(third.Keys).ToList();
            Assert.True(shared.Count(k => first[k] != third[k]) > shared.Count * 0.9, "another seed should change nearly every file");
        }
        finally
        {
            Directory.Delete(again, true);
            Directory.Delete(other, true);
        }
    }

    [Fact]
    public void CtValues_AreInTheHounsfieldRangeOfTheAnatomy()
    {
        var read = study.Pydicom;

        foreach (var patient in study.Truth.Patients)
        {
            var entry = read.GetProperty("patients").GetProperty(patient.Pseudonym);
            Assert.InRange(entry.GetProperty("ct_hu_min").GetDouble(), -1060, -940);
            Assert.InRange(entry.GetProperty("ct_hu_max").GetDouble(), 400, 600);
        }
    }

    private static Dictionary<string, string> Hashes(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
