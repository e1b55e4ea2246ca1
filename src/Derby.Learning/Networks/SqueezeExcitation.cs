using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>Squeeze-and-excitation (torchvision's <c>SqueezeExcitation</c> with SiLU): channel weights from the pooled input.</summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Conv2d fc1;
    private readonly Conv2d fc2;
    private readonly SiLU activation;

    /// <summary>Creates the block.</summary>
    public SqueezeExcitation(long channels, long squeezeChannels)
        : base(nameof(SqueezeExcitation))
    {
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc1 = nn.Conv2d(channels, squeezeChannels, 1);
        fc2 = nn.Conv2d(squeezeChannels, channels, 1);
        activation = nn.SiLU();
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scale = fc2.call(activation.call(fc1.call(avgpool.call(input)))).sigmoid();
        return (scale * input).MoveToOuterDisposeScope();
    }
}
