using System.Globalization;
using Xunit.Abstractions;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// The small version of the load run of issue #10 (<see cref="StowLoad"/>): 50 concurrent STOW-RS clients and 20 dashboard
/// users for about 10 seconds on the published app. Correctness only: no upload fails, none is lost. Speed is measured by
/// the benchmark, never asserted here: <c>benchmarks/load/run.sh</c> runs this same test for longer
/// (<c>DERBY_LOAD_SECONDS</c>) and writes the numbers (<c>DERBY_LOAD_REPORT</c>) into docs/performance-load.md.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class LoadTests(ITestOutputHelper log)
{
    [Fact]
    public async Task ConcurrentUploadsAndDashboardUsers_FailAndLoseNothing()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("DERBY_LOAD_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 10;
        var report = await StowLoad.RunAsync(new LoadSettings(TimeSpan.FromSeconds(seconds), Patients: Math.Max(400, seconds * 40)), log.WriteLine);
        var markdown = report.Markdown();
        log.WriteLine(markdown);
        if (Environment.GetEnvironmentVariable("DERBY_LOAD_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, markdown);
        }

        Assert.True(report.UploadsAccepted > 0, markdown);
        Assert.True(report.UploadsFailed == 0, markdown);
        Assert.True(report.Lost == 0, markdown);
        Assert.All(report.Kinds, k => Assert.True(k.Failed == 0, markdown));
    }
}
