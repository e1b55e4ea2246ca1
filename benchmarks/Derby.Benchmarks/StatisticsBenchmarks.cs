using System.Globalization;
using BenchmarkDotNet.Attributes;
using Derby.Statistics;

namespace Derby.Benchmarks;

/// <summary>
/// The two large-cohort cases timed against R by benchmarks/stats-vs-r.sh: AUC with DeLong CI on 10^6 scores, and a Cox fit
/// (Efron, with concordance, as coxph reports it) on 10^5 rows. Inputs are the CSV files the script's R code writes into
/// DERBY_BENCH_DIR, so both sides compute on the same numbers; reading the files is not timed (nor is it on the R side).
/// </summary>
[MemoryDiagnoser]
public class StatisticsBenchmarks
{
    private double[] scores = [];
    private int[] labels = [];
    private double[] times = [];
    private int[] events = [];
    private double[][] covariates = [];
    private static readonly string[] CoxNames = ["x1", "x2", "x3"];

    [GlobalSetup]
    public void Setup()
    {
        var dir = Environment.GetEnvironmentVariable("DERBY_BENCH_DIR")
            ?? throw new InvalidOperationException("Set DERBY_BENCH_DIR to the folder benchmarks/stats-vs-r.sh writes its inputs to.");
        var roc = ReadCsv(Path.Combine(dir, "roc_1e6.csv"));
        scores = roc["score"];
        labels = roc["label"].Select(v => (int)v).ToArray();
        var cox = ReadCsv(Path.Combine(dir, "cox_1e5.csv"));
        times = cox["time"];
        events = cox["event"].Select(v => (int)v).ToArray();
        covariates = CoxNames.Select(n => cox[n]).ToArray();
    }

    [Benchmark(Description = "AUC + DeLong CI, n = 1e6")]
    public AucEstimate AucDeLong() => RocAnalysis.DeLong(scores, labels);

    [Benchmark(Description = "Cox PH (Efron) + concordance, n = 1e5, 3 covariates")]
    public CoxModel CoxFit() => CoxRegression.Fit(times, events, covariates, CoxNames);

    private static Dictionary<string, double[]> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToArray();
        var columns = header.Select(_ => new double[lines.Length - 1]).ToArray();
        for (var i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(',');
            for (var j = 0; j < header.Length; j++)
            {
                columns[j][i - 1] = double.Parse(fields[j], CultureInfo.InvariantCulture);
            }
        }

        return header.Select((h, j) => (h, columns[j])).ToDictionary(t => t.h, t => t.Item2);
    }
}
