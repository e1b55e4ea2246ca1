using Derby.Application.Common;
using Derby.Infrastructure.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Derby.Infrastructure.Tests;

/// <summary>The sweep of folders left by killed uploads: only those, and only once nothing in them was written for a day.</summary>
public sealed class StaleUploadSweeperTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
    private StudyDatabase db = null!;

    public async Task InitializeAsync() => db = await StudyDatabase.CreateAsync(withDemoStudy: false);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public void Sweep_RemovesLeftBehindStagingAndScratchFolders_AndKeepsEverythingElse()
    {
        var old = Now.AddHours(-30);
        var recent = Now.AddHours(-2);
        Folder("staging/upload-killed", old, ("a.dcm", old), ("sub/b.dcm", old));
        Folder("staging/stow-killed", old, ("part-0001", old));
        Folder(DicomStore.ScratchFolder + "/0a1b2c", old, ("000001.dcm", old));
        Folder("staging/upload-slow", old, ("a.dcm", old), ("b.dcm", recent));  // still being written to
        Folder("staging/stow-recent", recent);
        Folder("staging/notes", old, ("keep.txt", old));                         // not an upload's folder
        Folder("dicom/ab/cd", old, ("abcd.dcm", old));                          // the store is never swept

        var removed = Sweeper().Sweep();

        Assert.Equal(
            new[] { Path.Combine(DicomStore.ScratchFolder, "0a1b2c"), Path.Combine("staging", "stow-killed"), Path.Combine("staging", "upload-killed") },
            removed.Order(StringComparer.Ordinal));
        foreach (var kept in new[] { "staging/upload-slow", "staging/stow-recent", "staging/notes", "dicom/ab/cd" })
        {
            Assert.True(Directory.Exists(Path.Combine(db.DataDirectory, kept)), kept);
        }

        Assert.Empty(Sweeper().Sweep());
    }

    [Fact]
    public void Sweep_OfADataFolderWithoutUploads_RemovesNothing()
    {
        Assert.Empty(Sweeper().Sweep());
    }

    private StaleUploadSweeper Sweeper() => new(db.Get<DerbyOptionsAccessor>(), new FixedClock(Now), NullLogger<StaleUploadSweeper>.Instance);

    private void Folder(string relative, DateTime written, params (string Name, DateTime Written)[] files)
    {
        var folder = Path.Combine(db.DataDirectory, relative);
        Directory.CreateDirectory(folder);
        foreach (var (name, time) in files)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
            File.SetLastWriteTimeUtc(path, time);
            Directory.SetLastWriteTimeUtc(Path.GetDirectoryName(path)!, written);
        }

        Directory.SetLastWriteTimeUtc(folder, written);
    }

    private sealed class FixedClock(DateTime now) : IClock
    {
        public DateTime UtcNow => now;
    }
}
