using Derby.Application.Uploads;
using Xunit.Abstractions;
using static Derby.Application.Tests.Uploads.UploadFixtures;

namespace Derby.Application.Tests.Uploads;

/// <summary>Alone, so other tests' allocations do not blur the memory measurement.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public sealed class UploadStagingStreamingTests(ITestOutputHelper output) : IDisposable
{
    private const long Length = 50L * 1024 * 1024;

    private readonly StagingRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task StageAsync_StreamsInBoundedChunks_WithoutBufferingTheFile()
    {
        var source = new GeneratedStream(Length);
        long peak = 0;
        var progress = new PeakMemory(p => peak = Math.Max(peak, p));
        var limits = UploadLimits.Default with { MaxFileBytes = 64L * 1024 * 1024 };
        await WarmUp(limits);

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var staged = await UploadStaging.StageAsync([new UploadPart("big.dcm", () => source, null)], _root.Path, limits, progress, CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        output.WriteLine($"largest read {source.LargestRead} B, {source.Reads} reads, heap peak +{(peak - baseline) / 1024} KiB, allocated {allocated / 1024} KiB");
        var file = Assert.Single(staged.Files);
        Assert.Equal(Length, file.Size);
        Assert.Equal(Length, new FileInfo(file.FullPath).Length);
        Assert.Equal(ExpectedSha256(), file.Sha256);

        // Reads are asked in chunks of at most 80 KiB, and the heap never grows by anything near the 50 MiB streamed.
        Assert.True(source.LargestRead <= 81_920, $"largest read {source.LargestRead}");
        Assert.True(source.Reads >= Length / 81_920, $"{source.Reads} reads");
        Assert.True(peak - baseline < 8 * 1024 * 1024, $"heap grew by {(peak - baseline) / 1024} KiB while streaming");
        Assert.True(allocated < 8 * 1024 * 1024, $"{allocated / 1024} KiB allocated while streaming {Length / 1024} KiB");
    }

    private async Task WarmUp(UploadLimits limits)
    {
        var staged = await UploadStaging.StageAsync([Part("warm.dcm", Bytes(200_000, 1))], _root.Path, limits, null, CancellationToken.None);
        staged.Delete();
    }

    private static string ExpectedSha256()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 20];
        for (long offset = 0; offset < Length; offset += chunk.Length)
        {
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = GeneratedStream.At(offset + i);
            }

            sha.AppendData(chunk);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Samples the heap at each progress report (every MiB), i.e. while the upload is under way.</summary>
    private sealed class PeakMemory(Action<long> sample) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => sample(GC.GetTotalMemory(forceFullCollection: false));
    }
}
