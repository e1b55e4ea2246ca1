using System.Diagnostics;
using System.Text.Json;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Derby.Imaging.Tests.Series;

namespace Derby.Imaging.Tests.Segmentation;

/// <summary>A lesion mask exported as DICOM SEG, written with GDCM and read back by pydicom (an independent reader).</summary>
[Collection(SyntheticStudyCollection.Name)]
public sealed class DicomSegTests(SyntheticStudyFixture study)
{
    [Fact]
    public void Seg_HoldsTheMaskOnThePetGrid_FrameByFrame_WithItsSourceImages()
    {
        var patient = study.UnfaultedPatients.First();
        var series = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "PT")));
        var g = series.Geometry!;
        // A hand-made mask: a small ball and one lone voxel on another slice, with an empty slice between (no frame for it).
        var box = new VoxelBox(g.Columns / 2 - 3, g.Rows / 2 - 3, 4, g.Columns / 2 + 3, g.Rows / 2 + 3, 9);
        var values = new byte[box.Count];
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            for (var y = box.Y0; y <= box.Y1; y++)
            {
                for (var x = box.X0; x <= box.X1; x++)
                {
                    var (dx, dy, dz) = (x - g.Columns / 2, y - g.Rows / 2, z - 5);
                    var inside = z <= 6 ? dx * dx + dy * dy + dz * dz <= 4 : z == 9 && dx == 3 && dy == -2;
                    values[((z - box.Z0) * box.Height + (y - box.Y0)) * box.Width + (x - box.X0)] = inside ? (byte)1 : (byte)0;
                }
            }
        }

        var mask = new LesionMask(box, values);
        var seg = DicomSegBuilder.Build(mask, series, "Lesion 1", "Derby adaptive threshold + region growing", DicomUid.FromName("seg-series"),
            DicomUid.FromName("seg-instance"), new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc));
        var path = Path.Combine(Path.GetTempPath(), $"derby-seg-{Guid.NewGuid():N}.dcm");
        try
        {
            new GdcmDicomFileWriter().Write(seg, path);
            var read = Pydicom(path);

            var frames = new[] { 4, 5, 6, 9 };
            Assert.Equal(DicomSegBuilder.SegmentationStorage, read.GetProperty("sop_class").GetString());
            Assert.Equal("SEG", read.GetProperty("modality").GetString());
            Assert.Equal("BINARY", read.GetProperty("segmentation_type").GetString());
            Assert.Equal(1, read.GetProperty("bits_allocated").GetInt32());
            Assert.Equal(frames.Length, read.GetProperty("frames").GetInt32());
            Assert.Equal(g.Rows, read.GetProperty("rows").GetInt32());
            Assert.Equal(g.Columns, read.GetProperty("columns").GetInt32());
            Assert.Equal(patient.Pseudonym, read.GetProperty("patient_id").GetString());
            Assert.Equal(g.FrameOfReferenceUid, read.GetProperty("frame_of_reference_uid").GetString());
            Assert.Equal("Lesion 1", read.GetProperty("segment_label").GetString());
            Assert.Equal(["(0062, 000B)", "(0020, 0032)"], read.GetProperty("dimension_pointers").EnumerateArray().Select(e => e.GetString()!.ToUpperInvariant()));
            Assert.Equal(g.PixelSpacing, read.GetProperty("pixel_spacing").EnumerateArray().Select(e => e.GetDouble()));
            var ones = read.GetProperty("ones").EnumerateArray().ToList();
            var positions = read.GetProperty("positions").EnumerateArray().ToList();
            var sources = read.GetProperty("sources").EnumerateArray().Select(e => e.GetString()).ToList();
            for (var f = 0; f < frames.Length; f++)
            {
                var z = frames[f];
                var expected = new List<int>();
                for (var y = 0; y < g.Rows; y++)
                {
                    for (var x = 0; x < g.Columns; x++)
                    {
                        if (mask[x, y, z])
                        {
                            expected.Add(y * g.Columns + x);
                        }
                    }
                }

                Assert.Equal(expected, ones[f].EnumerateArray().Select(e => e.GetInt32()));
                Assert.Equal(series.Slices[z].Dataset.GetNumbers(DicomTags.ImagePositionPatient)!, positions[f].EnumerateArray().Select(e => e.GetDouble()));
                Assert.Equal(series.Slices[z].Dataset.GetString(DicomTags.SopInstanceUid), sources[f]);
            }

            Assert.All(read.GetProperty("segments").EnumerateArray(), s => Assert.Equal(1, s.GetInt32()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Seg_OfAnEmptyMask_IsRefused()
    {
        var patient = study.UnfaultedPatients.First();
        var series = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "PT")));
        var box = new VoxelBox(0, 0, 0, 3, 3, 3);

        var error = Assert.Throws<ArgumentException>(() => DicomSegBuilder.Build(new LesionMask(box, new byte[box.Count]), series, "L", "A", "1.2.3", "1.2.3.4", DateTime.UtcNow));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement Pydicom(string path)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Scripts", "pydicom_seg.py"));
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement;
    }
}
