using System.Text.Json;
using Derby.Learning.Networks;
using Derby.Learning.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Learning.Tests.Networks;

public sealed class NetworkTests
{
    private static readonly Lazy<Dictionary<string, long>> TorchvisionCounts = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, long>>(PythonPeer.Run("torchvision_param_counts.py"))!);

    public NetworkTests()
    {
        TorchRuntime.SetThreads(2);
    }

    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    [Fact]
    public void EfficientNetB3_HasTorchvisionsParameterCount_With3ChannelsAnd1000Classes()
    {
        using var net = new EfficientNet(EfficientNetConfig.B3, inputChannels: 3, classes: 1000);
        Assert.Equal(TorchvisionCounts.Value["efficientnet_b3"], Count(net));
        Assert.Equal(12_233_232, Count(net));
    }

    [Fact]
    public void EfficientNetB0_HasTorchvisionsParameterCount_With3ChannelsAnd1000Classes()
    {
        using var net = new EfficientNet(EfficientNetConfig.B0, inputChannels: 3, classes: 1000);
        Assert.Equal(TorchvisionCounts.Value["efficientnet_b0"], Count(net));
    }

    [Fact]
    public void ResNet34_HasTorchvisionsParameterCount_With3ChannelsAnd1000Classes()
    {
        using var net = new ResNet34(inputChannels: 3, classes: 1000);
        Assert.Equal(TorchvisionCounts.Value["resnet34"], Count(net));
        Assert.Equal(21_797_672, Count(net));
    }

    [Fact]
    public void EfficientNetConfig_ScalesB3AsTorchvision()
    {
        var b3 = EfficientNetConfig.B3;
        var stages = EfficientNetConfig.BaseStages;
        Assert.Equal(40, b3.ScaleChannels(stages[0].Input));
        Assert.Equal(new[] { 24, 32, 48, 96, 136, 232, 384 }, stages.Select(s => b3.ScaleChannels(s.Output)));
        Assert.Equal(new[] { 2, 3, 3, 5, 5, 6, 2 }, stages.Select(s => b3.ScaleBlocks(s.Blocks)));
    }

    [Fact]
    public void DerbyPairNet_GivesBranchAndPairShapes_ForABatchOfTwo64PixelPairs()
    {
        using var net = DerbyPairNet.Create(1);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var pet = rand(2, 1, 64, 64);
        var ct = rand(2, 3, 64, 64);

        Assert.Equal(new long[] { 2, 1536, 2, 2 }, net.PetNetwork.ForwardFeatureMaps(pet).shape);
        Assert.Equal(new long[] { 2, 1536 }, net.PetBranch(pet).shape);
        Assert.Equal(new long[] { 6, 512, 2, 2 }, net.CtNetwork.ForwardFeatureMaps(ct.reshape(6, 1, 64, 64)).shape);
        Assert.Equal(new long[] { 2, 512, 2, 2 }, net.CtFusedMaps(ct).shape);
        Assert.Equal(new long[] { 2, 512 }, net.CtBranch(ct).shape);
        Assert.Equal(new long[] { 2, DerbyPairNet.FeatureSize }, net.Features(pet, ct).shape);
        Assert.Equal(new long[] { 2, DerbyPairNet.Classes }, net.call(pet, ct).shape);
    }

    [Fact]
    public void DerbyPairNet_SharesOneResNet34_AcrossTheThreeCtSlices()
    {
        using var net = DerbyPairNet.Create(1);
        using var pet1 = new EfficientNet(EfficientNetConfig.B3, inputChannels: 1);
        using var ct1 = new ResNet34(inputChannels: 1);
        long fusion = (3 * 512 * 512) + (2 * 512);  // 1×1 convolution without bias, batch-norm weight and bias
        long projection = ((1536 + 512) * 1024) + 1024;
        long head = (1024 * 2) + 2;
        Assert.Equal(Count(pet1) + Count(ct1) + fusion + projection + head, Count(net));
    }

    [Fact]
    public void DerbyPairNet_RefusesCropsThatAreNotAMultipleOf32()
    {
        using var net = DerbyPairNet.Create(1);
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => net.Features(rand(1, 1, 40, 40), rand(1, 3, 40, 40)));
    }

    [Fact]
    public void StochasticDepth_DropsOrRescalesWholeSamples_OnlyWhileTraining()
    {
        random.manual_seed(3);
        using var layer = new StochasticDepth(0.5);
        using var scope = NewDisposeScope();
        var input = ones(64, 2, 3, 3);

        layer.eval();
        Assert.True(layer.call(input).eq(input).all().item<bool>());

        layer.train();
        var output = layer.call(input);
        var perSample = output.reshape(64, -1);
        var dropped = 0;
        for (var i = 0; i < 64; i++)
        {
            var row = perSample[i];
            var value = row[0].item<float>();
            Assert.True(value is 0f or 2f, $"sample {i}: {value}");
            Assert.True(row.eq(value).all().item<bool>());
            dropped += value == 0f ? 1 : 0;
        }

        Assert.InRange(dropped, 16, 48);
    }
}
