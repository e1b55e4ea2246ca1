using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Derby.Benchmarks.StatisticsBenchmarks).Assembly).Run(args);
