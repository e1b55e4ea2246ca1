using System.Diagnostics;
using System.Globalization;
using Derby.Learning.Networks;
using Derby.Learning.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Benchmarks;

/// <summary>
/// DerbyPairNet inference (the 1024-d pair features) timed batch by batch, the .NET half of
/// benchmarks/learning-vs-pytorch.sh; benchmarks/learning-peer/derby_pair_net.py is the PyTorch half and speaks the
/// same protocol, so the script can interleave the two processes rep by rep:
/// <code>
/// dotnet run -c Release --project benchmarks/Derby.Benchmarks -- learning-peer --batch 16 --crop 64 --threads 2 [--device cpu|cuda] [--warmup 3] [--reps 10] [--part features|pet|ct] [--serve]
/// </code>
/// It builds the network (seed 0), eval mode, no_grad, random inputs in [0, 1], runs the warm-up batches and prints
/// <c>ready params=N threads=T device=D</c>. Then, without <c>--serve</c>, it times <c>--reps</c> batches and prints one
/// line per batch (<c>seconds S pairs_per_s P</c>) and the median; with <c>--serve</c> it times one batch per
/// <c>run</c> line read from standard input (one answer line each) and stops at <c>quit</c> or end of input.
/// <c>--part pet</c> or <c>--part ct</c> times one branch alone (EfficientNet-b3 on PET; the shared ResNet-34 on the 3 CT
/// slices with the fusion), for the breakdown of where the time goes.
/// </summary>
public static class LearningPeer
{
    public static void Run(string[] args)
    {
        var options = Parse(args);
        var batch = options.GetValueOrDefault("batch", "16");
        var n = int.Parse(batch, CultureInfo.InvariantCulture);
        var crop = int.Parse(options.GetValueOrDefault("crop", "64"), CultureInfo.InvariantCulture);
        var threads = int.Parse(options.GetValueOrDefault("threads", "2"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(options.GetValueOrDefault("warmup", "3"), CultureInfo.InvariantCulture);
        var reps = int.Parse(options.GetValueOrDefault("reps", "10"), CultureInfo.InvariantCulture);
        var serve = options.ContainsKey("serve");
        var part = options.GetValueOrDefault("part", "features");
        if (part is not ("features" or "pet" or "ct"))
        {
            throw new ArgumentException($"--part {part}: expected features, pet or ct.");
        }

        TorchRuntime.SetThreads(threads);
        var device = DeviceSelector.Select(options.GetValueOrDefault("device", "cpu"));
        using var net = DerbyPairNet.Create(0);
        net.eval();
        net.to(device);
        var parameters = net.parameters().Sum(p => p.numel());
        using var noGrad = no_grad();
        random.manual_seed(1);
        using var pet = rand(n, 1, crop, crop).to(device);
        using var ct = rand(n, DerbyPairNet.CtSlices, crop, crop).to(device);

        double Step()
        {
            var watch = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                var features = part switch
                {
                    "pet" => net.PetBranch(pet),
                    "ct" => net.CtBranch(ct),
                    _ => net.Features(pet, ct),
                };
                // Forces the result (a no-op on CPU, a synchronisation on CUDA) inside the timed span.
                _ = features.cpu().data<float>()[0];
            }

            return watch.Elapsed.TotalSeconds;
        }

        for (var i = 0; i < warmup; i++)
        {
            Step();
        }

        Console.WriteLine(FormattableString.Invariant(
            $"ready impl=derby params={parameters} threads={get_num_threads()} device={device} batch={n} crop={crop} part={part} torch=libtorch-2.10.0/TorchSharp-0.107.0"));
        if (serve)
        {
            string? line;
            while ((line = Console.ReadLine()) is not null && line.Trim() != "quit")
            {
                var s = Step();
                Console.WriteLine(FormattableString.Invariant($"seconds {s:F6} pairs_per_s {n / s:F3}"));
            }

            return;
        }

        var times = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var s = Step();
            times.Add(s);
            Console.WriteLine(FormattableString.Invariant($"seconds {s:F6} pairs_per_s {n / s:F3}"));
        }

        var sorted = times.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        Console.WriteLine(FormattableString.Invariant($"median seconds {median:F6} pairs_per_s {n / median:F3}"));
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument {args[i]}; options are --batch --crop --threads --device --warmup --reps --part --serve.");
            }

            var key = args[i][2..];
            if (key == "serve")
            {
                options[key] = "true";
            }
            else
            {
                options[key] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{key} needs a value.");
            }
        }

        return options;
    }
}
