using System.Diagnostics;

namespace Derby.Benchmarks;

/// <summary>
/// The ingest benchmarks run in turn, round after round, in one process (`ingest-interleaved [rounds]`): when other work
/// shares the machine, every method sees the same load, so the ratios stay meaningful where BenchmarkDotNet's separate
/// runs drift. Reports per-file minimum and median of each method and the ratio of medians to the serial GDCM loop.
/// </summary>
public static class IngestInterleaved
{
    public static void Run(int rounds)
    {
        var bench = new IngestBenchmarks();
        bench.Setup();
        try
        {
            var methods = new (string Name, Func<object> Body)[]
            {
                ("GDCM ImageReader.Read + GetBuffer, serial (baseline)", () => bench.GdcmDecodeLoop()),
                ("GDCM ImageReader.Read + GetBuffer, parallel over files", () => bench.GdcmDecodeParallel()),
                ("GDCM decode + write into a float volume, parallel (volume floor)", () => bench.GdcmDecodeIntoVolume()),
                ("Derby Read + SeriesAssembler (headers)", () => bench.DerbyHeaders()),
                ("Derby Read + SeriesAssembler + BuildHu, fresh volume", () => bench.DerbyIngest()),
                ("Derby Read + SeriesAssembler + BuildHu, reused volume", () => bench.DerbyIngestReusedVolume()),
                ("  breakdown: BuildHu alone, reused volume", () => bench.VolumeOnly()),
                ("  breakdown: reading each file's bytes, parallel", () => bench.FileBytesOnly()),
            };
            var times = methods.Select(_ => new List<double>()).ToArray();
            for (var round = -3; round < rounds; round++)
            {
                for (var m = 0; m < methods.Length; m++)
                {
                    var watch = Stopwatch.StartNew();
                    GC.KeepAlive(methods[m].Body());
                    if (round >= 0)
                    {
                        times[m].Add(watch.Elapsed.TotalMicroseconds / IngestBenchmarks.Slices);
                    }
                }
            }

            var baseline = Median(times[0]);
            Console.WriteLine($"{rounds} interleaved rounds of {IngestBenchmarks.Slices} files, {Environment.ProcessorCount} cores, load: {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine("| Method | Min (us/file) | Median (us/file) | files/s (median) | Median / baseline median |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (var m = 0; m < methods.Length; m++)
            {
                var median = Median(times[m]);
                Console.WriteLine($"| {methods[m].Name} | {times[m].Min():F1} | {median:F1} | {1e6 / median:F0} | {median / baseline:F2} |");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
