using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "pairs-interleaved")
{
    Derby.Benchmarks.PairInterleaved.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
    return;
}

if (args.Length > 0 && args[0] == "ingest-interleaved")
{
    Derby.Benchmarks.IngestInterleaved.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
    return;
}

if (args.Length > 0 && args[0] == "learning-ops")
{
    Derby.Benchmarks.LearningOps.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "learning-peer")
{
    Derby.Benchmarks.LearningPeer.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "forest-peer")
{
    Derby.Benchmarks.ForestPeer.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "dashboard-cpu")
{
    Derby.Benchmarks.DashboardBenchmarks.RunCpuTime(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Derby.Benchmarks.StatisticsBenchmarks).Assembly).Run(args);
