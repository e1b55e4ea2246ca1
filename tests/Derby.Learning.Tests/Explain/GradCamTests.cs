using Derby.Learning.Explain;
using Derby.Learning.Networks;
using Derby.Learning.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Derby.Learning.Tests.Explain;

public sealed class GradCamTests(ITestOutputHelper output)
{
    private const int Size = 32;

    /// <summary>A small CNN: two 3×3 convolutions, 2× max pooling, a third convolution (the Grad-CAM target), global max pooling, linear.</summary>
    private sealed class BlobNet : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential early;
        private readonly Sequential late;
        private readonly AdaptiveMaxPool2d pool;
        private readonly Linear fc;

        public BlobNet()
            : base(nameof(BlobNet))
        {
            early = nn.Sequential(nn.Conv2d(1, 8, 3, padding: 1), nn.ReLU(), nn.Conv2d(8, 16, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2));
            late = nn.Sequential(nn.Conv2d(16, 16, 3, padding: 1), nn.ReLU());
            pool = nn.AdaptiveMaxPool2d([1, 1]);  // "Is there a blob anywhere": max pooling learns it in a few steps.
            fc = nn.Linear(16, 2);
            RegisterComponents();
        }

        public nn.Module<Tensor, Tensor> Target => late;

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return fc.call(pool.call(late.call(early.call(input))).flatten(1)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Noise images in [0, 0.5]; the odd ones carry a bright disc of radius 2 at a random place.</summary>
    private static (float[] Images, long[] Labels, (int X, int Y)[] Centres) Blobs(int count, Random random)
    {
        var images = new float[count * Size * Size];
        var labels = new long[count];
        var centres = new (int X, int Y)[count];
        for (var n = 0; n < count; n++)
        {
            for (var i = 0; i < Size * Size; i++)
            {
                images[(n * Size * Size) + i] = 0.5f * random.NextSingle();
            }

            labels[n] = n % 2;
            if (labels[n] == 0)
            {
                continue;
            }

            var cx = random.Next(4, Size - 4);
            var cy = random.Next(4, Size - 4);
            centres[n] = (cx, cy);
            for (var y = cy - 2; y <= cy + 2; y++)
            {
                for (var x = cx - 2; x <= cx + 2; x++)
                {
                    if (((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= 4)
                    {
                        images[(n * Size * Size) + (y * Size) + x] = 1f;
                    }
                }
            }
        }

        return (images, labels, centres);
    }

    [Fact]
    public void Compute_PeaksOnTheBlob_OfAToyNetworkTrainedToFindIt()
    {
        TorchRuntime.SetThreads(2);
        random.manual_seed(5);
        var rng = new Random(5);
        using var net = new BlobNet();
        using (var optimizer = optim.Adam(net.parameters(), lr: 0.01))
        {
            net.train();
            var last = 0f;
            for (var step = 0; step < 100; step++)
            {
                using var scope = NewDisposeScope();
                var (images, labels, _) = Blobs(32, rng);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(net.call(tensor(images, [32, 1, Size, Size])), tensor(labels));
                loss.backward();
                optimizer.step();
                last = loss.item<float>();
            }

            output.WriteLine($"last training loss {last}");
        }

        var (testImages, testLabels, centres) = Blobs(8, new Random(99));
        using var batch = tensor(testImages, [8, 1, Size, Size]);
        GradCamMap[] maps;
        using (var noGrad = no_grad())
        {
            net.eval();
            using var scope = NewDisposeScope();
            var predicted = net.call(batch).argmax(1).data<long>().ToArray();
            Assert.Equal(testLabels, predicted);
        }

        maps = GradCam.Compute(net, () => net.call(batch), [net.Target], classIndex: 1, Size, Size)[0];
        for (var n = 1; n < 8; n += 2)
        {
            var (x, y) = maps[n].Peak();
            output.WriteLine($"blob at {centres[n]}, Grad-CAM peak at ({x}, {y})");
            Assert.Equal(Size * Size, maps[n].Values.Length);
            Assert.InRange(maps[n].Values.Min(), 0f, 0f);
            Assert.Equal(1f, maps[n].Values.Max());
            Assert.True(Math.Abs(x - centres[n].X) <= 3 && Math.Abs(y - centres[n].Y) <= 3, $"blob at {centres[n]}, peak at ({x}, {y})");
        }
    }

    [Fact]
    public void PairGradCam_GivesAPetAndACtMapAtTheCropSize_ForEveryPair()
    {
        TorchRuntime.SetThreads(2);
        var (pairs, _) = ToyPairs.Make(2, 64, seed: 8);
        using var net = DerbyPairNet.Create(3);
        var maps = PairGradCam.Compute(net, pairs, CPU);
        Assert.Equal(2, maps.Length);
        Assert.All(maps, m =>
        {
            Assert.Equal((64, 64), (m.Pet.Height, m.Pet.Width));
            Assert.Equal((64, 64), (m.Ct.Height, m.Ct.Width));
            Assert.All(m.Pet.Values.Concat(m.Ct.Values), v => Assert.InRange(v, 0f, 1f));
        });
        Assert.All(net.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0f));
    }
}
