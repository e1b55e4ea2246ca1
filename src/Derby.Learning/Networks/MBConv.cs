using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>
/// EfficientNet's mobile inverted bottleneck (torchvision's <c>MBConv</c>): 1×1 expansion (when the ratio is not 1),
/// depthwise k×k convolution, squeeze-and-excitation (squeeze to a quarter of the block's input channels), 1×1
/// projection without activation, and a residual connection with stochastic depth when shape allows.
/// </summary>
public sealed class MBConv : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> block;
    private readonly StochasticDepth stochastic_depth;
    private readonly bool residual;

    /// <summary>Creates the block.</summary>
    public MBConv(int inputChannels, int outputChannels, int expandRatio, int kernel, int stride, double stochasticDepth, double batchNormEps, double batchNormMomentum)
        : base(nameof(MBConv))
    {
        residual = stride == 1 && inputChannels == outputChannels;
        var expanded = EfficientNetConfig.MakeDivisible(inputChannels * (double)expandRatio, 8);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (expanded != inputChannels)
        {
            layers.Add(new ConvNormActivation(inputChannels, expanded, 1, activation: Activation.SiLU, batchNormEps: batchNormEps, batchNormMomentum: batchNormMomentum));
        }

        layers.Add(new ConvNormActivation(expanded, expanded, kernel, stride, groups: expanded, activation: Activation.SiLU, batchNormEps: batchNormEps, batchNormMomentum: batchNormMomentum));
        layers.Add(new SqueezeExcitation(expanded, Math.Max(1, inputChannels / 4)));
        layers.Add(new ConvNormActivation(expanded, outputChannels, 1, activation: Activation.None, batchNormEps: batchNormEps, batchNormMomentum: batchNormMomentum));
        block = nn.ModuleList(layers.ToArray());
        stochastic_depth = new StochasticDepth(stochasticDepth);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in block)
        {
            x = layer.call(x);
        }

        if (residual)
        {
            x = stochastic_depth.call(x) + input;
        }

        return x.MoveToOuterDisposeScope();
    }
}
