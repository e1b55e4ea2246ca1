using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>
/// EfficientNet B0–B7 built from TorchSharp modules with torchvision's layout (TorchVision for .NET has none): a 3×3
/// stride-2 stem, seven stages of <see cref="MBConv"/> blocks scaled by the configuration's width and depth multipliers,
/// a 1×1 head convolution to 4 × the last stage's channels, global average pooling and, when classes are asked for,
/// dropout and a linear classifier. Stochastic depth grows linearly over the blocks; initialisation as torchvision
/// (Kaiming normal fan-out for convolutions, uniform ±1/√out for the classifier). With 3 input channels and 1000 classes
/// the parameter count equals torchvision's <c>efficientnet_bN</c>.
/// </summary>
public sealed class EfficientNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> features;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Dropout? dropout;
    private readonly Linear? classifier;

    /// <summary>Creates the network.</summary>
    /// <param name="config">Scaling; <see cref="EfficientNetConfig.B3"/> for DERBY's PET branch.</param>
    /// <param name="inputChannels">Image channels (1 for a PET slice, 3 for RGB).</param>
    /// <param name="classes">Classifier outputs; null for a feature extractor (forward returns the pooled features).</param>
    public EfficientNet(EfficientNetConfig config, int inputChannels = 3, int? classes = null)
        : base(nameof(EfficientNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        Config = config;
        var stages = EfficientNetConfig.BaseStages
            .Select(s => (s.Expand, s.Kernel, s.Stride, Input: config.ScaleChannels(s.Input), Output: config.ScaleChannels(s.Output), Blocks: config.ScaleBlocks(s.Blocks)))
            .ToArray();
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new ConvNormActivation(inputChannels, stages[0].Input, 3, 2, activation: Activation.SiLU, batchNormEps: config.BatchNormEps, batchNormMomentum: config.BatchNormMomentum),
        };
        var totalBlocks = stages.Sum(s => s.Blocks);
        var blockId = 0;
        foreach (var s in stages)
        {
            var stage = new List<nn.Module<Tensor, Tensor>>();
            for (var i = 0; i < s.Blocks; i++)
            {
                var sd = config.StochasticDepth * blockId / totalBlocks;
                stage.Add(new MBConv(i == 0 ? s.Input : s.Output, s.Output, s.Expand, s.Kernel, i == 0 ? s.Stride : 1, sd, config.BatchNormEps, config.BatchNormMomentum));
                blockId++;
            }

            layers.Add(new Stage(stage));
        }

        FeatureChannels = 4 * stages[^1].Output;
        Head = new ConvNormActivation(stages[^1].Output, FeatureChannels, 1, activation: Activation.SiLU, batchNormEps: config.BatchNormEps, batchNormMomentum: config.BatchNormMomentum);
        layers.Add(Head);
        features = nn.ModuleList(layers.ToArray());
        avgpool = nn.AdaptiveAvgPool2d(1);
        if (classes is { } n)
        {
            dropout = nn.Dropout(config.Dropout);
            classifier = nn.Linear(FeatureChannels, n);
        }

        RegisterComponents();
        Initialize();
    }

    /// <summary>The scaling configuration.</summary>
    public EfficientNetConfig Config { get; }

    /// <summary>Channels of the feature maps and of the pooled feature vector (1536 for B3).</summary>
    public long FeatureChannels { get; }

    /// <summary>The last stage (the 1×1 head convolution): the Grad-CAM target layer of the PET branch.</summary>
    public ConvNormActivation Head { get; }

    /// <summary>Feature maps before pooling, N × <see cref="FeatureChannels"/> × H/32 × W/32.</summary>
    public Tensor ForwardFeatureMaps(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in features)
        {
            x = layer.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Logits (N × classes) with a classifier, else pooled features (N × <see cref="FeatureChannels"/>).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = avgpool.call(ForwardFeatureMaps(input)).flatten(1);
        if (classifier is not null && dropout is not null)
        {
            x = classifier.call(dropout.call(x));
        }

        return x.MoveToOuterDisposeScope();
    }

    private void Initialize()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut);
                    if (conv.bias is not null)
                    {
                        nn.init.zeros_(conv.bias);
                    }

                    break;
                case BatchNorm2d bn:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias);
                    break;
                case Linear linear:
                    var range = 1.0 / Math.Sqrt(linear.out_features);
                    nn.init.uniform_(linear.weight, -range, range);
                    if (linear.bias is not null)
                    {
                        nn.init.zeros_(linear.bias);
                    }

                    break;
            }
        }
    }

    /// <summary>One stage: its blocks in order.</summary>
    private sealed class Stage : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;

        public Stage(IEnumerable<nn.Module<Tensor, Tensor>> blocks)
            : base(nameof(Stage))
        {
            this.blocks = nn.ModuleList(blocks.ToArray());
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = input;
            foreach (var block in blocks)
            {
                x = block.call(x);
            }

            return x.MoveToOuterDisposeScope();
        }
    }
}
