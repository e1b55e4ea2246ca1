using System.Diagnostics;

namespace Derby.Benchmarks;

/// <summary>
/// The pair benchmarks run in turn, round after round, in one process: on a machine whose cores are shared, every
/// method then sees the same load, so their ratios hold even when BenchmarkDotNet's separate runs (minutes apart) do not.
/// `dotnet run -c Release --project benchmarks/Derby.Benchmarks -- pairs-interleaved [rounds]`.
/// </summary>
public static class PairInterleaved
{
    public static void Run(int rounds)
    {
        var bench = new PairBenchmarks();
        bench.Setup();
        var methods = new (string Name, Func<object> Body)[]
        {
            ("Floor: copy PET + 3 CT windows per slice, count ROI", () => bench.CopyWindows()),
            ("Reference: read the CT rows bilinear needs, sum", () => bench.ReadCtRows()),
            ("PairBuilder.Build", () => bench.Build()),
            ("PairBuilder.Build + PairSetFile.Write", () => bench.BuildAndWrite()),
        };
        var times = methods.Select(_ => new List<double>()).ToArray();
        for (var round = -5; round < rounds; round++)
        {
            for (var m = 0; m < methods.Length; m++)
            {
                var watch = Stopwatch.StartNew();
                GC.KeepAlive(methods[m].Body());
                if (round >= 0)
                {
                    times[m].Add(watch.Elapsed.TotalMicroseconds);
                }
            }
        }

        var floor = Median(times[0]);
        Console.WriteLine($"{rounds} interleaved rounds, {Environment.ProcessorCount} cores, load: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| Method | Min (us) | Median (us) | Median / floor median |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var m = 0; m < methods.Length; m++)
        {
            Console.WriteLine($"| {methods[m].Name} | {times[m].Min():F0} | {Median(times[m]):F0} | {Median(times[m]) / floor:F1} |");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
