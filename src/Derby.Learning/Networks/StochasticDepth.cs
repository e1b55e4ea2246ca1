using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Learning.Networks;

/// <summary>
/// Stochastic depth in "row" mode (torchvision's <c>StochasticDepth(p, "row")</c>): while training, each sample's
/// residual branch is dropped with probability p and the kept ones are scaled by 1 / (1 − p); identity in evaluation.
/// Draws from LibTorch's global generator, so <c>torch.manual_seed</c> makes it reproducible.
/// </summary>
public sealed class StochasticDepth : nn.Module<Tensor, Tensor>
{
    private readonly double probability;

    /// <summary>Creates the layer with drop probability <paramref name="probability"/>.</summary>
    public StochasticDepth(double probability)
        : base(nameof(StochasticDepth))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1.0);
        this.probability = probability;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!training || probability == 0.0)
        {
            return input.alias();
        }

        using var scope = NewDisposeScope();
        var survival = 1.0 - probability;
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        var noise = empty(shape, input.dtype, input.device).bernoulli_(survival);
        if (survival > 0.0)
        {
            noise.div_(survival);
        }

        return (input * noise).MoveToOuterDisposeScope();
    }
}
