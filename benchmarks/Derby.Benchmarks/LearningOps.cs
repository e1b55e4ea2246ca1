using System.Diagnostics;
using System.Globalization;
using Derby.Learning.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Benchmarks;

/// <summary>
/// Single operations with the shapes EfficientNet-b3 and ResNet-34 see in DerbyPairNet at crop 64, batch 16, timed one
/// by one (median of the repetitions, milliseconds), to find which kernels make the difference between LibTorch 2.10 and
/// another PyTorch build: <c>learning-ops --threads 1 [--reps 30]</c>; <c>derby_pair_net.py --ops</c> is the peer.
/// </summary>
public static class LearningOps
{
    public static void Run(string[] args)
    {
        var threads = args.Length > 1 && args[0] == "--threads" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var reps = args.Length > 3 && args[2] == "--reps" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30;
        TorchRuntime.SetThreads(threads);
        using var noGrad = no_grad();
        random.manual_seed(0);
        var ops = new List<(string Name, Func<Tensor> Body)>();

        void Depthwise(string name, long channels, long size, long kernel)
        {
            var conv = nn.Conv2d(channels, channels, kernel, padding: kernel / 2, groups: channels, bias: false);
            conv.eval();
            var x = rand(16, channels, size, size);
            ops.Add((name, () => conv.call(x)));
        }

        void Conv(string name, long batch, long input, long output, long size, long kernel)
        {
            var conv = nn.Conv2d(input, output, kernel, padding: kernel / 2, bias: false);
            conv.eval();
            var x = rand(batch, input, size, size);
            ops.Add((name, () => conv.call(x)));
        }

        Depthwise("dw3 16x40x32x32", 40, 32, 3);
        Depthwise("dw3 16x192x16x16", 192, 16, 3);
        Depthwise("dw5 16x288x8x8", 288, 8, 5);
        Depthwise("dw5 16x816x4x4", 816, 4, 5);
        Conv("pw 16x32x16x16->192", 16, 32, 192, 16, 1);
        Conv("pw 16x816x4x4->136", 16, 816, 136, 4, 1);
        {
            // The same 1x1 convolution as a matrix product over the channels (TorchSharp 0.107 has no channels-last memory
            // format to try instead).
            var conv = nn.Conv2d(32, 192, 1, bias: false);
            var x = rand(16, 32, 16, 16);
            var w = conv.weight!.reshape(192, 32);
            ops.Add(("pw as matmul", () => matmul(w, x.reshape(16, 32, 256)).reshape(16, 192, 16, 16)));
        }

        Conv("conv3 48x64x16x16->64", 48, 64, 64, 16, 3);
        Conv("conv3 48x256x4x4->256", 48, 256, 256, 4, 3);
        var silu = nn.SiLU();
        var a = rand(16, 192, 16, 16);
        ops.Add(("silu 16x192x16x16", () => silu.call(a)));
        var bn = nn.BatchNorm2d(192);
        bn.eval();
        ops.Add(("bn 16x192x16x16", () => bn.call(a)));
        var b = rand(16, 816, 4, 4);
        var reduce = nn.Conv2d(816, 34, 1);
        var expand = nn.Conv2d(34, 816, 1);
        ops.Add(("se 16x816x4x4", () => b * sigmoid(expand.call(nn.functional.silu(reduce.call(nn.functional.adaptive_avg_pool2d(b, 1)))))));
        var linear = nn.Linear(2048, 1024);
        var f = rand(16, 2048);
        ops.Add(("linear 16x2048->1024", () => linear.call(f)));

        foreach (var (name, body) in ops)
        {
            var times = new List<double>();
            for (var i = -3; i < reps; i++)
            {
                var watch = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    _ = body().sum().item<float>();
                }

                if (i >= 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            var sorted = times.Order().ToArray();
            Console.WriteLine(FormattableString.Invariant($"{name,-24} {sorted[sorted.Length / 2]:F3} ms"));
        }
    }
}
