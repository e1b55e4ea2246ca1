using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>
/// ResNet-34 with torchvision's layout (7×7 stride-2 stem, 3×3 stride-2 max pooling, basic blocks 3-4-6-3 of 64, 128,
/// 256, 512 channels, 1×1 stride-2 projection shortcuts), built from TorchSharp modules so the stem can take any number
/// of channels. Kaiming normal fan-out initialisation for convolutions as torchvision. With 3 input channels and 1000
/// classes the parameter count equals torchvision's <c>resnet34</c> (21,797,672).
/// </summary>
public sealed class ResNet34 : nn.Module<Tensor, Tensor>
{
    /// <summary>Channels of the last stage's feature maps.</summary>
    public const int FeatureChannels = 512;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear? fc;

    /// <summary>Creates the network.</summary>
    /// <param name="inputChannels">Image channels (1 for one CT slice, 3 for RGB).</param>
    /// <param name="classes">Classifier outputs; null for a feature extractor (forward returns the pooled features).</param>
    public ResNet34(int inputChannels = 3, int? classes = null)
        : base(nameof(ResNet34))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        conv1 = nn.Conv2d(inputChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(64);
        relu = nn.ReLU();
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        var stages = new List<nn.Module<Tensor, Tensor>>();
        long channels = 64;
        foreach (var (width, blocks, stride) in new[] { (64L, 3, 1L), (128L, 4, 2L), (256L, 6, 2L), (512L, 3, 2L) })
        {
            for (var i = 0; i < blocks; i++)
            {
                stages.Add(new BasicBlock(channels, width, i == 0 ? stride : 1));
                channels = width;
            }
        }

        layers = nn.ModuleList(stages.ToArray());
        avgpool = nn.AdaptiveAvgPool2d(1);
        if (classes is { } n)
        {
            fc = nn.Linear(FeatureChannels, n);
        }

        RegisterComponents();
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is Conv2d conv)
            {
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            }
        }
    }

    /// <summary>Feature maps of the last stage, N × 512 × H/32 × W/32.</summary>
    public Tensor ForwardFeatureMaps(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        foreach (var layer in layers)
        {
            x = layer.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Logits (N × classes) with a classifier, else pooled features (N × 512).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = avgpool.call(ForwardFeatureMaps(input)).flatten(1);
        if (fc is not null)
        {
            x = fc.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Two 3×3 convolutions with a shortcut (1×1 projection when the shape changes).</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly Conv2d conv2;
        private readonly BatchNorm2d bn2;
        private readonly ReLU relu;
        private readonly nn.Module<Tensor, Tensor>? downsample;

        public BasicBlock(long inputChannels, long channels, long stride)
            : base(nameof(BasicBlock))
        {
            conv1 = nn.Conv2d(inputChannels, channels, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(channels);
            conv2 = nn.Conv2d(channels, channels, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(channels);
            relu = nn.ReLU();
            if (stride != 1 || inputChannels != channels)
            {
                downsample = nn.Sequential(nn.Conv2d(inputChannels, channels, 1, stride: stride, bias: false), nn.BatchNorm2d(channels));
            }

            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = relu.call(bn1.call(conv1.call(input)));
            x = bn2.call(conv2.call(x));
            var identity = downsample is null ? input : downsample.call(input);
            return relu.call(x + identity).MoveToOuterDisposeScope();
        }
    }
}
