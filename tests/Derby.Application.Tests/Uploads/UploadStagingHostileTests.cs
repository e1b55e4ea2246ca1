using System.IO.Compression;
using Derby.Application.Uploads;
using static Derby.Application.Tests.Uploads.UploadFixtures;

namespace Derby.Application.Tests.Uploads;

/// <summary>Every hostile upload is refused with its reason, and leaves the staging root empty.</summary>
public sealed class UploadStagingHostileTests : IDisposable
{
    private static readonly UploadLimits Small = new()
    {
        MaxFileBytes = 64 * 1024,
        MaxTotalBytes = 256 * 1024,
        MaxFiles = 20,
        MaxArchiveEntries = 10,
        MaxCompressionRatio = 200,
        RatioCheckMinBytes = 16 * 1024,
        MaxPathLength = 80,
        MaxPathDepth = 5,
    };

    private readonly StagingRoot _root = new();

    public void Dispose() => _root.Dispose();

    /// <summary>Stages, expects a refusal, checks nothing is left and returns the reasons.</summary>
    private async Task<IReadOnlyList<UploadRejection>> Refused(UploadLimits limits, params UploadPart[] parts)
    {
        var error = await Assert.ThrowsAsync<UploadRejectedException>(
            () => UploadStaging.StageAsync(parts, _root.Path, limits, null, CancellationToken.None));
        Assert.True(IsEmpty(_root.Path), "the staging root is not empty: " + string.Join(", ", Directory.EnumerateFileSystemEntries(_root.Path, "*", SearchOption.AllDirectories)));
        Assert.NotEmpty(error.Reasons);
        Assert.All(error.Reasons, r => Assert.Contains(r.ToString(), error.Message));
        return error.Reasons;
    }

    private static UploadRejection Single(IReadOnlyList<UploadRejection> reasons, UploadRule rule)
    {
        var reason = Assert.Single(reasons);
        Assert.Equal(rule, reason.Rule);
        return reason;
    }

    [Theory]
    [InlineData("../../evil.dcm", "'..'")]
    [InlineData("a/../../evil.dcm", "'..'")]
    [InlineData("..\\..\\evil.dcm", "'..'")]
    [InlineData("/etc/x", "absolute")]
    [InlineData("\\\\server\\share\\x", "absolute")]
    [InlineData("C:\\x", "drive letter")]
    [InlineData("C:x", "drive letter")]
    [InlineData("a.dcm:stream", "':'")]
    [InlineData("dir/CON.dcm", "reserved")]
    [InlineData("dir./x.dcm", "dot or space")]
    public async Task StageAsync_RefusesZipSlipEntries(string entryName, string expected)
    {
        // A good entry first: it must be removed again when the bad one is found.
        var zip = Zip(("good.dcm", Bytes(100, 1)), (entryName, Bytes(100, 2)));

        var reason = Single(await Refused(Small, Part("study.zip", zip)), UploadRule.InvalidPath);

        Assert.Equal(("study.zip", entryName), (reason.Part, reason.Entry));
        Assert.Contains(expected, reason.Message);
    }

    [Theory]
    [InlineData("../../evil.dcm")]
    [InlineData("/etc/x")]
    [InlineData("C:\\x")]
    [InlineData("")]
    [InlineData("a/./../b")]
    public async Task StageAsync_RefusesHostilePartPaths_BeforeWritingAnything(string path)
    {
        var opened = false;
        var part = new UploadPart(path, () => { opened = true; return new MemoryStream([1, 2, 3]); }, 3);

        var reason = Single(await Refused(Small, Part("ok.dcm", [1]), part), UploadRule.InvalidPath);

        Assert.Equal(path, reason.Part);
        Assert.False(opened);
    }

    [Theory]
    [InlineData("a\0b.dcm", "NUL")]
    [InlineData("a\u0001.dcm", "U+0001")]
    [InlineData("dir\n/x.dcm", "U+000A")]
    [InlineData("x\u007F.dcm", "U+007F")]
    [InlineData("evil\u202Emcd.exe", "U+202E")]
    public async Task StageAsync_RefusesControlCharacters_InPartsAndEntries(string name, string expected)
    {
        var asPart = Single(await Refused(Small, Part(name, [1])), UploadRule.InvalidPath);
        var asEntry = Single(await Refused(Small, Part("a.zip", Zip((name, new byte[] { 1 })))), UploadRule.InvalidPath);

        Assert.Contains(expected, asPart.Message);
        Assert.Contains(expected, asEntry.Message);
        // The message quotes the name with the control character escaped, so it cannot forge a log line.
        Assert.DoesNotContain('\n', asEntry.ToString());
        Assert.DoesNotContain('\0', asPart.ToString());
    }

    [Fact]
    public async Task StageAsync_RefusesZipBomb_FromTheCentralDirectory_BeforeExtracting()
    {
        // 10 MB of zeros deflate to about 10 KB: about 1,000:1.
        var bomb = Zip(("ok.dcm", Bytes(1000, 3)), ("bomb.dcm", new byte[10_000_000]));
        var limits = Small with { MaxFileBytes = 64 * 1024 * 1024, MaxTotalBytes = 128 * 1024 * 1024 };

        var reasons = await Refused(limits, Part("bomb.zip", bomb));

        var entry = Assert.Single(reasons, r => r.Entry == "bomb.dcm");
        Assert.Equal(UploadRule.CompressionRatio, entry.Rule);
        Assert.Contains("10,000,000 bytes", entry.Message);
        Assert.Contains("200:1", entry.Message);
        // The archive as a whole is over the ratio too; both reasons are given.
        Assert.Contains(reasons, r => r.Entry is null && r.Rule == UploadRule.CompressionRatio);
    }

    [Fact]
    public async Task StageAsync_RefusesEntryDeclaringMoreThanTheFileLimit_BeforeExtracting()
    {
        var zip = Zip(("big.dcm", Bytes(100_000, 4)));

        var reason = Single(await Refused(Small, Part("big.zip", zip)), UploadRule.FileTooLarge);

        Assert.Equal("big.dcm", reason.Entry);
        Assert.Contains("100,000 bytes", reason.Message);
        Assert.Contains("65,536 bytes per file", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesOverallRatio_WhenEveryEntryIsUnderTheThreshold()
    {
        // Nine entries of 15 KB zeros: each below RatioCheckMinBytes (16 KiB), together 135 KB from about 1 KB of archive.
        var zip = Zip([.. Enumerable.Range(0, 9).Select(i => new ZipItem($"z{i}.dcm", new byte[15_000]))]);
        var limits = Small with { MaxTotalBytes = 10 * 1024 * 1024, MaxCompressionRatio = 100 };

        var reason = Single(await Refused(limits, Part("zeros.zip", zip)), UploadRule.CompressionRatio);

        Assert.Null(reason.Entry);
        Assert.Contains("135,000 bytes", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesLyingCentralDirectory_WhileExtracting()
    {
        // 1 MB of zeros compress to about 1 KB; the central directory is patched to say 1,000 bytes uncompressed,
        // so every check made before extraction passes (1,000 bytes, ratio about 1:1).
        var honest = Zip(("liar.dcm", new byte[1_000_000]));
        var lying = PatchCentralDirectoryUncompressedSize(honest, 1000);
        using (var check = new ZipArchive(new MemoryStream(lying)))
        {
            Assert.Equal(1000, check.Entries[0].Length);
        }

        var reason = Single(await Refused(Small, Part("liar.zip", lying)), UploadRule.HeaderMismatch);

        Assert.Equal("liar.dcm", reason.Entry);
        Assert.Contains("CRC-32", reason.Message);
    }

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public async Task StageAsync_RefusesCentralDirectoryOverstatingTheSize(CompressionLevel level)
    {
        var data = Bytes(1000, 10);
        var lying = PatchCentralDirectoryUncompressedSize(Zip(new ZipItem("short.dcm", data, Level: level)), 2000);

        var reason = Single(await Refused(Small, Part("short.zip", lying)), UploadRule.HeaderMismatch);

        Assert.Contains("holds 1,000 bytes but its header declares 2,000", reason.Message);
    }

    [Fact]
    public async Task StageAsync_WritesNoMoreThanTheDeclaredSize_WhenSizeAndCrcBothLie()
    {
        // A header whose size and CRC-32 both describe only the first 1,000 bytes: System.IO.Compression stops there,
        // so the result is what an honest archive of those 1,000 bytes would give; nothing beyond the checked size is written.
        var data = Bytes(50_000, 11);
        var lying = PatchCentralDirectoryCrc(PatchCentralDirectoryUncompressedSize(Zip(("liar.dcm", data)), 1000), Crc32(data.AsSpan(0, 1000)));

        var staged = await UploadStaging.StageAsync([Part("liar.zip", lying)], _root.Path, Small, null, CancellationToken.None);

        var file = Assert.Single(staged.Files);
        Assert.Equal((1000L, Sha256(data[..1000])), (file.Size, file.Sha256));
    }

    [Fact]
    public async Task StageAsync_RefusesTooManyEntries_CountedInTheCentralDirectory()
    {
        var zip = Zip([.. Enumerable.Range(0, 11).Select(i => new ZipItem($"f{i}.dcm", [1]))]);

        var reason = Single(await Refused(Small, Part("many.zip", zip)), UploadRule.TooManyEntries);

        Assert.Contains("more than 10 entries", reason.Message);
        Assert.Contains("declares 11", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesTooManyEntries_WhenTheEndRecordUnderstatesThem()
    {
        var zip = PatchEndRecordEntryCount(Zip([.. Enumerable.Range(0, 11).Select(i => new ZipItem($"f{i}.dcm", [1]))]), 3);

        var reason = Single(await Refused(Small, Part("many.zip", zip)), UploadRule.TooManyEntries);

        Assert.Contains("more than 10 entries", reason.Message);
        Assert.Contains("declares 3", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesSymbolicLinkEntries()
    {
        var zip = Zip(new ZipItem("ok.dcm", [1]), new ZipItem("link.dcm", Text("/etc/passwd"), SymlinkAttributes));

        var reason = Single(await Refused(Small, Part("links.zip", zip)), UploadRule.SymbolicLink);

        Assert.Equal("link.dcm", reason.Entry);
        Assert.Contains("120777", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesDeviceEntries()
    {
        var zip = Zip(new ZipItem("fifo", [], unchecked((int)(0x11A4u << 16))));

        Single(await Refused(Small, Part("dev.zip", zip)), UploadRule.SpecialFile);
    }

    [Fact]
    public async Task StageAsync_RefusesNestedArchives_ByNameAndByContent()
    {
        var inner = Zip(("x.dcm", new byte[] { 1 }));
        var gzip = new MemoryStream();
        using (var z = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(Bytes(100, 5));
        }

        var zip = Zip(("inner.zip", inner), ("disguised.dcm", inner), ("tarball.tar.gz", gzip.ToArray()));

        var reasons = await Refused(Small, Part("outer.zip", zip));

        // By name all are refused before extraction; the disguised one is found as its first bytes are read,
        // so it is the only reason when it is alone.
        Assert.Equal(["inner.zip", "tarball.tar.gz"], reasons.Select(r => r.Entry));
        Assert.All(reasons, r => Assert.Equal(UploadRule.NestedArchive, r.Rule));
        var disguised = Single(await Refused(Small, Part("outer.zip", Zip(("disguised.dcm", inner)))), UploadRule.NestedArchive);
        Assert.Contains("zip archive", disguised.Message);
        var gz = Single(await Refused(Small, Part("outer.zip", Zip(("image.dcm", gzip.ToArray())))), UploadRule.NestedArchive);
        Assert.Contains("gzip", gz.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(10L)]
    public async Task StageAsync_RefusesOversizeFile_CountingBytes_WhateverItDeclares(long? declared)
    {
        var part = new UploadPart("huge.dcm", () => new GeneratedStream(200_000), declared);

        var reason = Single(await Refused(Small, Part("first.dcm", [1, 2]), part), UploadRule.FileTooLarge);

        Assert.Equal("huge.dcm", reason.Part);
        Assert.Contains("65,536 bytes per file", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesOversizeFile_FromItsDeclaredLength_WithoutOpeningIt()
    {
        var part = new UploadPart("huge.dcm", () => throw new InvalidOperationException("must not be opened"), 100_000);

        var reason = Single(await Refused(Small, part), UploadRule.FileTooLarge);

        Assert.Contains("declared as 100,000 bytes", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesUploadOverTheTotal_CountingBytes()
    {
        var parts = Enumerable.Range(0, 5).Select(i => new UploadPart($"f{i}.dcm", () => new GeneratedStream(60_000), null)).ToArray();

        var reason = Single(await Refused(Small, parts), UploadRule.UploadTooLarge);

        Assert.Equal("f4.dcm", reason.Part);
        Assert.Contains("262,144 bytes", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesTooManyFiles()
    {
        var parts = Enumerable.Range(0, 21).Select(i => Part($"f{i}.dcm", [1])).ToArray();

        var reason = Single(await Refused(Small, parts), UploadRule.TooManyFiles);

        Assert.Contains("21 files", reason.Message);
    }

    [Fact]
    public async Task StageAsync_RefusesLongAndDeepPaths()
    {
        var reasons = await Refused(Small, Part(new string('a', 81), [1]), Part("a/b/c/d/e/f.dcm", [1]), Part(new string('b', 256) + "/x", [1]));

        Assert.Equal([UploadRule.PathTooLong, UploadRule.PathTooDeep, UploadRule.PathTooLong], reasons.Select(r => r.Rule));
        Assert.Contains("81 characters", reasons[0].Message);
        Assert.Contains("6 levels", reasons[1].Message);
    }

    [Fact]
    public async Task StageAsync_RefusesDuplicatePaths_IgnoringCase_AcrossPartsAndArchives()
    {
        var reasons = await Refused(Small,
            Part("a/IM1.dcm", [1]),
            Part("A/im1.dcm", [2]),
            Part("scan", [3]),
            Part("scan/x.dcm", [4]),
            Part("a.zip", Zip(("IM1.dcm", new byte[] { 5 }))));

        Assert.All(reasons, r => Assert.Equal(UploadRule.DuplicatePath, r.Rule));
        Assert.Equal(["A/im1.dcm", "scan/x.dcm"], reasons.Select(r => r.Part));
    }

    [Fact]
    public async Task StageAsync_RefusesAnArchiveEntryClashingWithAPlainFile()
    {
        var reason = Single(await Refused(Small, Part("a/IM1.dcm", [1]), Part("a.zip", Zip(("im1.dcm", new byte[] { 5 })))), UploadRule.DuplicatePath);

        Assert.Equal(("a.zip", "im1.dcm"), (reason.Part, reason.Entry));
    }

    [Fact]
    public async Task StageAsync_ListsEveryBadEntry_OfAnArchive()
    {
        var zip = Zip(
            new ZipItem("../evil.dcm", [1]),
            new ZipItem("link", [1], SymlinkAttributes),
            new ZipItem("inner.zip", [1]),
            new ZipItem("fine.dcm", [1]));

        var reasons = await Refused(Small, Part("bad.zip", zip));

        Assert.Equal([UploadRule.InvalidPath, UploadRule.SymbolicLink, UploadRule.NestedArchive], reasons.Select(r => r.Rule));
    }

    [Fact]
    public async Task StageAsync_RefusesCorruptArchives()
    {
        var zip = Zip(("a.dcm", Bytes(1000, 6)));

        Single(await Refused(Small, Part("junk.zip", Bytes(5000, 7))), UploadRule.CorruptArchive);
        Single(await Refused(Small, Part("cut.zip", zip[..(zip.Length / 2)])), UploadRule.CorruptArchive);
        Single(await Refused(Small, Part("tiny.zip", [0x50, 0x4B])), UploadRule.CorruptArchive);
    }

    [Fact]
    public async Task StageAsync_RefusesAnEmptyUpload()
    {
        Single(await Refused(Small), UploadRule.Empty);
    }

    [Fact]
    public async Task StageAsync_RefusesWindowsReparsePointEntries()
    {
        // FILE_ATTRIBUTE_REPARSE_POINT (0x400) in the DOS attributes: a symbolic link or junction zipped on Windows.
        var zip = Zip(new ZipItem("junction", [], 0x400));

        Single(await Refused(Small, Part("win.zip", zip)), UploadRule.SymbolicLink);
    }

    [Fact]
    public async Task StageAsync_RefusesEncryptedEntries()
    {
        // General purpose flag bit 0: traditional PKWARE encryption.
        var zip = PatchCentralDirectoryField(Zip(("secret.dcm", Bytes(100, 12))), 8, 1);

        var reason = Single(await Refused(Small, Part("secret.zip", zip)), UploadRule.EncryptedEntry);

        Assert.Equal("secret.dcm", reason.Entry);
    }

    [Fact]
    public async Task StageAsync_RefusesUnsupportedCompressionMethods()
    {
        // Method 14 is LZMA, which System.IO.Compression does not read.
        var zip = PatchCentralDirectoryField(Zip(("lzma.dcm", Bytes(100, 13))), 10, 14);

        Single(await Refused(Small, Part("lzma.zip", zip)), UploadRule.CorruptArchive);
    }

    [Fact]
    public async Task StageAsync_RefusesEntryPathsTooLong_UnderTheArchiveFolder()
    {
        // 70 + 1 + 15 characters: the entry alone is within the limit of 80, not under its archive's folder.
        var zip = Zip((new string('e', 15), new byte[] { 1 }));

        var reason = Single(await Refused(Small, Part(new string('a', 70) + ".zip", zip)), UploadRule.PathTooLong);

        Assert.Contains("86 characters", reason.Message);
    }

    [Fact]
    public async Task StageAsync_TreatsComposedAndDecomposedNames_AsTheSameFile()
    {
        // "é" as one code point (NFC, Windows and Linux) and as e + combining acute (NFD, macOS).
        var reason = Single(await Refused(Small, Part("caf\u00e9.dcm", [1]), Part("cafe\u0301.dcm", [2])), UploadRule.DuplicatePath);

        Assert.Equal("cafe\u0301.dcm", reason.Part);
    }

    [Fact]
    public async Task StageAsync_RefusesADirectoryEntryClashingWithAFile()
    {
        var zip = Zip(new ZipItem("x.dcm", [1]), new ZipItem("x.dcm/", []));

        Single(await Refused(Small, Part("clash.zip", zip)), UploadRule.DuplicatePath);
    }

    [Fact]
    public async Task StageAsync_RefusesOversizedCentralDirectoryRecords_BeforeOpeningTheArchive()
    {
        // ZipArchive keeps names, extra fields and comments in memory: 20,000 records of 64 KiB each would be 1.3 GB.
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            archive.CreateEntry("a.dcm").Comment = new string('c', 5000);
        }

        var longName = Zip((new string('n', 241) + "/x", new byte[] { 1 }));

        var comment = Single(await Refused(Small, Part("comment.zip", buffer.ToArray())), UploadRule.CorruptArchive);
        var name = Single(await Refused(Small, Part("name.zip", longName)), UploadRule.CorruptArchive);

        Assert.Contains("5000 bytes of extra fields and comment", comment.Message);
        Assert.Contains("name of 243 bytes, more than 240", name.Message);
    }

    [Fact]
    public async Task StageAsync_CleansUp_WhenCancelledMidStream()
    {
        using var cts = new CancellationTokenSource();
        var parts = new[]
        {
            Part("done.dcm", Bytes(1000, 8)),
            new UploadPart("slow.dcm", () => new GeneratedStream(50_000, callbackAt: 20_000, callback: cts.Cancel), null),
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => UploadStaging.StageAsync(parts, _root.Path, Small, null, cts.Token));

        Assert.True(IsEmpty(_root.Path));
    }

    [Fact]
    public async Task StageAsync_CleansUp_WhenCancelledWhileExtracting()
    {
        using var cts = new CancellationTokenSource();
        var zip = Zip(("a.dcm", Bytes(600_000, 14)), ("b.dcm", Bytes(600_000, 15)), ("c.dcm", Bytes(600_000, 16)));
        var progress = new CancelAt(p => p.FilesDone >= 1, cts);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => UploadStaging.StageAsync([Part("study.zip", zip)], _root.Path, UploadLimits.Default, progress, cts.Token));

        Assert.True(progress.Fired);
        Assert.True(IsEmpty(_root.Path));
    }

    [Fact]
    public async Task StageAsync_RefusesTheSameEntryTwiceInOneArchive()
    {
        var zip = Zip(("IM1.dcm", new byte[] { 1 }), ("im1.dcm", new byte[] { 2 }));

        var reason = Single(await Refused(Small, Part("twice.zip", zip)), UploadRule.DuplicatePath);

        Assert.Equal("im1.dcm", reason.Entry);
    }

    [Fact]
    public async Task StageAsync_CleansUp_WhenAPartFailsToRead()
    {
        var parts = new[] { Part("done.dcm", Bytes(1000, 9)), new UploadPart("broken.dcm", () => throw new IOException("connection reset"), null) };

        var error = await Assert.ThrowsAsync<IOException>(() => UploadStaging.StageAsync(parts, _root.Path, Small, null, CancellationToken.None));

        Assert.Equal("connection reset", error.Message);
        Assert.True(IsEmpty(_root.Path));
    }

    /// <summary>Cancels the upload from inside a progress report, i.e. while bytes are flowing.</summary>
    private sealed class CancelAt(Func<UploadProgress, bool> when, CancellationTokenSource cts) : IProgress<UploadProgress>
    {
        public bool Fired { get; private set; }

        public void Report(UploadProgress value)
        {
            if (!Fired && when(value))
            {
                Fired = true;
                cts.Cancel();
            }
        }
    }
}
