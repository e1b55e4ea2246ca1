using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>The activation after a <see cref="ConvNormActivation"/>.</summary>
public enum Activation
{
    /// <summary>No activation (EfficientNet's projection convolutions).</summary>
    None,

    /// <summary>ReLU (ResNet).</summary>
    ReLU,

    /// <summary>SiLU, also called swish (EfficientNet).</summary>
    SiLU,
}

/// <summary>
/// Convolution without bias, batch normalisation, activation: torchvision's <c>Conv2dNormActivation</c> with padding
/// (k − 1) / 2.
/// </summary>
public sealed class ConvNormActivation : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d norm;
    private readonly nn.Module<Tensor, Tensor>? activation;

    /// <summary>Creates the block.</summary>
    public ConvNormActivation(
        long inputChannels,
        long outputChannels,
        long kernelSize,
        long stride = 1,
        long groups = 1,
        Activation activation = Activation.SiLU,
        double batchNormEps = 1e-5,
        double batchNormMomentum = 0.1)
        : base(nameof(ConvNormActivation))
    {
        conv = nn.Conv2d(inputChannels, outputChannels, kernelSize, stride: stride, padding: (kernelSize - 1) / 2, groups: groups, bias: false);
        norm = nn.BatchNorm2d(outputChannels, eps: batchNormEps, momentum: batchNormMomentum);
        this.activation = activation switch
        {
            Activation.ReLU => nn.ReLU(),
            Activation.SiLU => nn.SiLU(),
            _ => null,
        };
        OutputChannels = outputChannels;
        RegisterComponents();
    }

    /// <summary>Channels of the output.</summary>
    public long OutputChannels { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = norm.call(conv.call(input));
        if (activation is not null)
        {
            x = activation.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}
