using System.IO.Compression;
using Derby.Application.Uploads;
using static Derby.Application.Tests.Uploads.UploadFixtures;

namespace Derby.Application.Tests.Uploads;

public sealed class UploadStagingTests : IDisposable
{
    private readonly StagingRoot _root = new();

    public void Dispose() => _root.Dispose();

    private Task<StagedUpload> Stage(UploadLimits limits, params UploadPart[] parts) =>
        UploadStaging.StageAsync(parts, _root.Path, limits, null, CancellationToken.None);

    [Fact]
    public async Task StageAsync_WritesFolderUpload_WithSubFoldersSizesAndHashes()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["study/PET/IM0001.dcm"] = Bytes(10_000, 1),
            ["study/PET/IM0002.dcm"] = Bytes(250_000, 2),
            ["study/CT/series 2/IM0001.dcm"] = Bytes(1, 3),
            ["study/empty.txt"] = [],
        };

        var staged = await Stage(UploadLimits.Default, [.. files.Select(f => Part(f.Key, f.Value))]);

        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), staged.Files.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        foreach (var file in staged.Files)
        {
            var source = files[file.RelativePath];
            Assert.Equal(source.Length, file.Size);
            Assert.Equal(Sha256(source), file.Sha256);
            Assert.Equal(source, await File.ReadAllBytesAsync(file.FullPath));
            Assert.StartsWith(staged.FilesRoot + System.IO.Path.DirectorySeparatorChar, file.FullPath);
        }

        Assert.All(staged.Parts, p => Assert.Equal((UploadPartKind.File, 1), (p.Kind, p.FilesStaged)));
        Assert.Equal(files.Values.Sum(v => (long)v.Length), staged.TotalBytes);
        Assert.Equal(System.IO.Path.GetDirectoryName(staged.Folder), _root.Path);
        Assert.False(Directory.Exists(System.IO.Path.Combine(staged.Folder, "spool")));
    }

    [Fact]
    public async Task StageAsync_ExpandsZip_UnderTheArchiveName()
    {
        var a = Bytes(300_000, 4);
        var b = Bytes(20, 5);
        var zeros = new byte[5_000];
        var zip = Zip(
            new ZipItem("PET/", []),
            new ZipItem("PET/IM0001.dcm", a),
            new ZipItem("./CT\\IM0001.dcm", b),
            new ZipItem("blank.dcm", zeros),
            new ZipItem("stored.dcm", b, Level: CompressionLevel.NoCompression));

        var staged = await Stage(UploadLimits.Default, Part("uploads/patient-7.zip", zip), Part("notes.txt", Text("hello")));

        var byPath = staged.Files.ToDictionary(f => f.RelativePath);
        Assert.Equal(
            ["notes.txt", "uploads/patient-7/CT/IM0001.dcm", "uploads/patient-7/PET/IM0001.dcm", "uploads/patient-7/blank.dcm", "uploads/patient-7/stored.dcm"],
            byPath.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Sha256(a), byPath["uploads/patient-7/PET/IM0001.dcm"].Sha256);
        Assert.Equal(a.Length, byPath["uploads/patient-7/PET/IM0001.dcm"].Size);
        Assert.Equal(Sha256(b), byPath["uploads/patient-7/CT/IM0001.dcm"].Sha256);
        // 5,000 zeros compress far beyond 200:1, but stay under RatioCheckMinBytes: a blank image is not a bomb.
        Assert.Equal(Sha256(zeros), byPath["uploads/patient-7/blank.dcm"].Sha256);
        Assert.Equal(a, await File.ReadAllBytesAsync(byPath["uploads/patient-7/PET/IM0001.dcm"].FullPath));

        var archive = staged.Parts[0];
        Assert.Equal((UploadPartKind.ZipArchive, 4, zip.Length, a.Length + 2L * b.Length + zeros.Length),
            (archive.Kind, archive.FilesStaged, archive.BytesReceived, archive.BytesStaged));
        Assert.All(staged.Files.Where(f => f.SourcePart == "uploads/patient-7.zip"), f => Assert.StartsWith("uploads/patient-7/", f.RelativePath));
        Assert.False(Directory.Exists(System.IO.Path.Combine(staged.Folder, "spool")));
    }

    [Fact]
    public async Task StageAsync_ReportsProgress_BytesAndFiles()
    {
        var progress = new RecordingProgress();
        var big = Bytes(3_000_000, 6);
        var zip = Zip(("a.dcm", Bytes(1000, 7)), ("b.dcm", Bytes(1000, 8)));

        await UploadStaging.StageAsync([Part("big.dcm", big), Part("more.zip", zip)], _root.Path, UploadLimits.Default, progress, CancellationToken.None);

        var last = progress.Reports[^1];
        Assert.Equal((big.Length + (long)zip.Length, big.Length + (long)zip.Length, 3, 2, 2), (last.BytesReceived, last.TotalBytes, last.FilesDone, last.PartsDone, last.TotalParts));
        Assert.True(progress.Reports.Count >= 4, $"only {progress.Reports.Count} reports");
        Assert.Contains(progress.Reports, r => r.BytesReceived > 0 && r.BytesReceived < big.Length && r.CurrentPath == "big.dcm");
        Assert.Equal(progress.Reports.Select(r => r.BytesReceived).Order(), progress.Reports.Select(r => r.BytesReceived));
    }

    [Fact]
    public async Task StageAsync_ReportsNoTotal_WhenAPartDeclaresNoLength()
    {
        var progress = new RecordingProgress();

        await UploadStaging.StageAsync([new UploadPart("a.dcm", () => new MemoryStream(Bytes(10, 9)), null)], _root.Path, UploadLimits.Default, progress, CancellationToken.None);

        Assert.Null(progress.Reports[^1].TotalBytes);
        Assert.Equal(10, progress.Reports[^1].BytesReceived);
    }

    [Fact]
    public async Task Delete_RemovesTheUploadFolder()
    {
        var staged = await Stage(UploadLimits.Default, Part("a.dcm", Bytes(10, 10)));

        staged.Delete();

        Assert.True(IsEmpty(_root.Path));
    }

    [Fact]
    public async Task StageAsync_UsesAFreshPrivateFolder_PerUpload()
    {
        var first = await Stage(UploadLimits.Default, Part("a.dcm", Bytes(10, 11)));
        var second = await Stage(UploadLimits.Default, Part("a.dcm", Bytes(10, 12)));

        Assert.NotEqual(first.Folder, second.Folder);
        Assert.StartsWith(UploadStaging.FolderPrefix, System.IO.Path.GetFileName(first.Folder));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(first.Folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.Files[0].FullPath));
        }
    }
}
