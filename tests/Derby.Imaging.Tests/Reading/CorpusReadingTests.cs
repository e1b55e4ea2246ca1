using System.Text.Json;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;

namespace Derby.Imaging.Tests.Reading;

/// <summary>The project's reader against pydicom and dcmtk on real files written by others (Debian's python3-pydicom corpus).</summary>
public sealed class CorpusReadingTests(PydicomCorpus corpus) : IClassFixture<PydicomCorpus>
{
    /// <summary>Files that must be refused, and a word the reason must contain.</summary>
    public static TheoryData<string, string> Refused => new()
    {
        { "MR_truncated.dcm", "truncated" },
        { "rtplan_truncated.dcm", "truncated" },
        { "badVR.dcm", "Number of Frames '1A'" },
        { "README.txt", "not a readable DICOM file" },
        { "test1.json", "not a readable DICOM file" },
        { "zipMR.gz", "not a readable DICOM file" },
        { "rtplan.dump", "not a readable DICOM file" },
    };

    /// <summary>
    /// Files pydicom reads that GDCM does not: a meta header without its Transfer Syntax UID. Refusing is the safe
    /// answer for an archive: the encoding of what follows is a guess.
    /// </summary>
    private static readonly HashSet<string> RefusedByGdcmOnly = ["meta_missing_tsyntax.dcm"];

    private static readonly HashSet<string> LossyTransferSyntaxes =
        ["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91"];

    [Theory]
    [MemberData(nameof(Refused))]
    public void MalformedAndForeignFiles_GetAClearError(string name, string reason)
    {
        var (_, error, _) = corpus.Ours[name];

        Assert.NotNull(error);
        Assert.Contains(reason, error.Reason);
        Assert.StartsWith(name + ": ", error.Message);
    }

    [Fact]
    public void EveryOtherFile_IsRead()
    {
        var expectedRefusals = Refused.Select(r => (string)r[0]).Concat(RefusedByGdcmOnly).Concat(["no_meta.dcm", "test_PN.json", "rtstruct.dump"]).ToHashSet();
        var unexpected = corpus.Ours.Where(kv => kv.Value.Error is not null && !expectedRefusals.Contains(kv.Key)).Select(kv => $"{kv.Key}: {kv.Value.Error!.Reason}").ToList();

        Assert.Empty(unexpected);
        Assert.True(corpus.Ours.Count(kv => kv.Value.Info is not null) >= 55, "most of the corpus is readable DICOM");
    }

    [Fact]
    public void EveryReadableFile_AgreesWithPydicom()
    {
        var compared = 0;
        var decodedCompared = 0;
        foreach (var (name, (info, _, _)) in corpus.Ours)
        {
            if (info is null || !corpus.Pydicom.TryGetValue(name, out var py) || py.TryGetProperty("error", out _))
            {
                continue;
            }

            compared++;
            Assert.True(Same(info.SopInstanceUid, Str(py, "sop_instance_uid")), $"{name} SOP Instance UID");
            Assert.True(Same(info.SeriesInstanceUid, Str(py, "series_instance_uid")), $"{name} Series Instance UID");
            Assert.True(Same(info.StudyInstanceUid, Str(py, "study_instance_uid")), $"{name} Study Instance UID");
            Assert.True(Same(info.Modality, Str(py, "modality")), $"{name} Modality");
            if (Str(py, "transfer_syntax_uid") is { } ts)
            {
                Assert.Equal(ts, info.TransferSyntaxUid);
            }

            Assert.True(info.Rows == Int(py, "rows"), $"{name} rows");
            Assert.True(info.Columns == Int(py, "columns"), $"{name} columns");
            Assert.True(info.BitsAllocated == Int(py, "bits_allocated"), $"{name} bits allocated");
            Assert.True(info.PixelRepresentation == Int(py, "pixel_representation"), $"{name} pixel representation");
            Assert.True(info.NumberOfFrames == Int(py, "number_of_frames"), $"{name} number of frames");
            AssertClose(info.PixelSpacing, Numbers(py, "pixel_spacing"), $"{name} pixel spacing");
            AssertClose(info.ImagePositionPatient, Numbers(py, "image_position_patient"), $"{name} position");
            AssertClose(info.ImageOrientationPatient, Numbers(py, "image_orientation_patient"), $"{name} orientation");
            AssertClose(Wrap(info.SliceThickness), Wrap(Num(py, "slice_thickness")), $"{name} slice thickness");
            AssertClose(Wrap(info.RescaleSlope), Wrap(Num(py, "rescale_slope")), $"{name} rescale slope");
            AssertClose(Wrap(info.RescaleIntercept), Wrap(Num(py, "rescale_intercept")), $"{name} rescale intercept");

            // See CompressedPixels_AreRefused_WhereTheDecoderWouldAbortTheProcess: pydicom decodes it, GDCM would abort.
            if (py.GetProperty("decoded").GetBoolean() && name != "rtdose_rle_1frame.dcm")
            {
                decodedCompared++;
                Assert.True(info.StoredMean is not null, $"{name}: pydicom decoded the pixels, the project's reader did not");
                var min = Num(py, "stored_min")!.Value;
                var max = Num(py, "stored_max")!.Value;
                var mean = Num(py, "stored_mean")!.Value;
                if (LossyTransferSyntaxes.Contains(info.TransferSyntaxUid))
                {
                    // Lossy codecs decode within rounding of each other (different IDCT implementations).
                    var range = Math.Max(1, max - min);
                    Assert.True(Math.Abs(info.StoredMean!.Value - mean) <= 0.01 * range, $"{name} mean {info.StoredMean} vs {mean}");
                    Assert.True(Math.Abs(info.StoredMax!.Value - max) <= 0.05 * range, $"{name} max {info.StoredMax} vs {max}");
                }
                else
                {
                    Assert.True(info.StoredMin == min && info.StoredMax == max, $"{name} min/max {info.StoredMin}/{info.StoredMax} vs {min}/{max}");
                    Assert.True(Math.Abs(info.StoredMean!.Value - mean) <= 1e-9 * Math.Max(1, Math.Abs(mean)), $"{name} mean {info.StoredMean} vs {mean}");
                }
            }
        }

        Assert.True(compared >= 50, $"only {compared} files compared");
        Assert.True(decodedCompared >= 35, $"only {decodedCompared} decoded files compared");
    }

    [Fact]
    public void EveryReadableFile_AgreesWithDcmdump()
    {
        var readable = corpus.Ours.Where(kv => kv.Value.Info is not null).ToList();
        foreach (var (name, (info, _, _)) in readable)
        {
            var (exit, stdout, _) = Run("dcmdump", "-q", "+Un", "+P", "0008,0018", "+P", "0008,0060", "+P", "0028,0010", "+P", "0028,0011",
                "+P", "0028,0100", "+P", "0028,0103", PydicomCorpus.PathOf(name));
            if (exit != 0)
            {
                // dcmdump refuses some files GDCM reads (no meta header): nothing to compare with.
                continue;
            }

            var top = stdout.Split('\n').Where(l => l.StartsWith('(')).GroupBy(l => l[..11]).ToDictionary(g => g.Key, g => g.First());
            Assert.True(Same(info!.SopInstanceUid, Value(top, "(0008,0018)")), $"{name} SOP Instance UID");
            Assert.True(Same(info.Modality, Value(top, "(0008,0060)")), $"{name} modality");
            Assert.True(Same(info.Rows?.ToString(), Value(top, "(0028,0010)")), $"{name} rows");
            Assert.True(Same(info.Columns?.ToString(), Value(top, "(0028,0011)")), $"{name} columns");
            Assert.True(Same(info.BitsAllocated?.ToString(), Value(top, "(0028,0100)")), $"{name} bits allocated");
            Assert.True(Same(info.PixelRepresentation?.ToString(), Value(top, "(0028,0103)")), $"{name} pixel representation");
        }
    }

    /// <summary>JPEG lossless, JPEG-LS, JPEG 2000 lossless, RLE, big endian and implicit VR copies decode to their originals' values.</summary>
    [Theory]
    [InlineData("MR_small.dcm", "MR_small_RLE.dcm")]
    [InlineData("MR_small.dcm", "MR_small_jp2klossless.dcm")]
    [InlineData("MR_small.dcm", "MR_small_jpeg_ls_lossless.dcm")]
    [InlineData("MR_small.dcm", "MR_small_bigendian.dcm")]
    [InlineData("MR_small.dcm", "MR_small_expb.dcm")]
    [InlineData("MR_small.dcm", "MR_small_implicit.dcm")]
    [InlineData("MR_small.dcm", "MR_small_padded.dcm")]
    [InlineData("rtdose.dcm", "rtdose_rle.dcm")]
    [InlineData("rtdose.dcm", "rtdose_expb.dcm")]
    [InlineData("rtdose_1frame.dcm", "rtdose_expb_1frame.dcm")]
    [InlineData("liver_1frame.dcm", "liver_expb_1frame.dcm")]
    [InlineData("SC_rgb_rle.dcm", "SC_rgb_jpeg_gdcm.dcm")]
    [InlineData("SC_rgb_rle_16bit.dcm", "SC_rgb_rle_16bit_2frame.dcm")]
    public void EncodedCopies_DecodeToTheSameStoredValues(string original, string copy)
    {
        var reader = new GdcmDicomFileReader();
        var a = reader.ReadFrame(PydicomCorpus.PathOf(original));
        var frames = Math.Min(a.NumberOfFrames, reader.ReadFrame(PydicomCorpus.PathOf(copy)).NumberOfFrames);

        for (var f = 0; f < frames; f++)
        {
            var left = reader.ReadFrame(PydicomCorpus.PathOf(original), f);
            var right = reader.ReadFrame(PydicomCorpus.PathOf(copy), f);
            Assert.Equal((left.Rows, left.Columns, left.SamplesPerPixel), (right.Rows, right.Columns, right.SamplesPerPixel));
            Assert.Equal(left.Values, right.Values);
        }
    }

    [Fact]
    public void CompressedPixels_AreRefused_WhereTheDecoderWouldAbortTheProcess()
    {
        // Regression: GDCM's image reader asserts (SIGABRT) on multi-frame data with a Frame Increment Pointer but no
        // Number of Frames; the reader refuses it instead, and the process lives on.
        var ex = Assert.Throws<DicomReadException>(() => new GdcmDicomFileReader().ReadFrame(PydicomCorpus.PathOf("rtdose_rle_1frame.dcm")));

        Assert.Contains("Frame Increment Pointer", ex.Reason);
    }

    private static bool Same(string? a, string? b) => b == "(un)" || (a ?? "") == (b ?? "");

    private static string? Str(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.String ? e.GetProperty(name).GetString() : null;

    private static int? Int(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetInt32() : null;

    private static double? Num(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDouble() : null;

    private static double[]? Numbers(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Array ? e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray() : null;

    private static double[]? Wrap(double? v) => v is { } x ? [x] : null;

    private static void AssertClose(double[]? ours, double[]? theirs, string what)
    {
        Assert.True((ours is null) == (theirs is null), $"{what}: {Show(ours)} vs {Show(theirs)}");
        if (ours is null)
        {
            return;
        }

        Assert.True(ours.Length == theirs!.Length && ours.Zip(theirs).All(p => Math.Abs(p.First - p.Second) <= 1e-9 * Math.Max(1, Math.Abs(p.Second))),
            $"{what}: {Show(ours)} vs {Show(theirs)}");
    }

    private static string Show(double[]? v) => v is null ? "null" : "[" + string.Join(", ", v) + "]";

    private static string? Value(Dictionary<string, string> lines, string tag)
    {
        if (!lines.TryGetValue(tag, out var line))
        {
            return null;
        }

        var rest = line[11..].TrimStart();
        if (rest.StartsWith("UN", StringComparison.Ordinal))
        {
            // Written as UN: dcmdump shows the bytes, not the value; nothing to compare.
            return "(un)";
        }

        rest = rest[2..].TrimStart();
        if (rest.StartsWith('['))
        {
            return rest[1..rest.IndexOf(']')];
        }

        if (rest.StartsWith("(no value", StringComparison.Ordinal))
        {
            return null;
        }

        return rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }

    private static (int Exit, string StdOut, string StdErr) Run(string program, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
