namespace Derby.Learning.Networks;

/// <summary>
/// The compound-scaling configuration of an EfficientNet (Tan and Le 2019) as torchvision builds it: width and depth
/// multipliers applied to the B0 stage table, classifier dropout, the stochastic-depth probability reached by the last
/// block, and the batch-normalisation settings (PyTorch defaults for B0–B4, eps 1e-3 and momentum 0.01 for B5–B7).
/// </summary>
/// <param name="Name">For messages.</param>
/// <param name="WidthMultiplier">Channel multiplier (channels rounded to multiples of 8 as torchvision does).</param>
/// <param name="DepthMultiplier">Block-count multiplier (rounded up per stage).</param>
/// <param name="Dropout">Dropout before the classifier.</param>
/// <param name="StochasticDepth">Drop probability of the last block; block i of n gets <c>StochasticDepth · i / n</c>.</param>
/// <param name="BatchNormEps">Batch-normalisation epsilon.</param>
/// <param name="BatchNormMomentum">Batch-normalisation momentum (PyTorch convention).</param>
public sealed record EfficientNetConfig(
    string Name,
    double WidthMultiplier,
    double DepthMultiplier,
    double Dropout,
    double StochasticDepth = 0.2,
    double BatchNormEps = 1e-5,
    double BatchNormMomentum = 0.1)
{
    /// <summary>EfficientNet-B0.</summary>
    public static EfficientNetConfig B0 { get; } = new("b0", 1.0, 1.0, 0.2);

    /// <summary>EfficientNet-B1.</summary>
    public static EfficientNetConfig B1 { get; } = new("b1", 1.0, 1.1, 0.2);

    /// <summary>EfficientNet-B2.</summary>
    public static EfficientNetConfig B2 { get; } = new("b2", 1.1, 1.2, 0.3);

    /// <summary>EfficientNet-B3, the DERBY PET branch.</summary>
    public static EfficientNetConfig B3 { get; } = new("b3", 1.2, 1.4, 0.3);

    /// <summary>EfficientNet-B4.</summary>
    public static EfficientNetConfig B4 { get; } = new("b4", 1.4, 1.8, 0.4);

    /// <summary>EfficientNet-B5.</summary>
    public static EfficientNetConfig B5 { get; } = new("b5", 1.6, 2.2, 0.4, BatchNormEps: 1e-3, BatchNormMomentum: 0.01);

    /// <summary>EfficientNet-B6.</summary>
    public static EfficientNetConfig B6 { get; } = new("b6", 1.8, 2.6, 0.5, BatchNormEps: 1e-3, BatchNormMomentum: 0.01);

    /// <summary>EfficientNet-B7.</summary>
    public static EfficientNetConfig B7 { get; } = new("b7", 2.0, 3.1, 0.5, BatchNormEps: 1e-3, BatchNormMomentum: 0.01);

    /// <summary>The B0 stages: expansion, kernel, stride, input channels, output channels, blocks (before scaling).</summary>
    internal static IReadOnlyList<(int Expand, int Kernel, int Stride, int Input, int Output, int Blocks)> BaseStages { get; } =
    [
        (1, 3, 1, 32, 16, 1),
        (6, 3, 2, 16, 24, 2),
        (6, 5, 2, 24, 40, 2),
        (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3),
        (6, 5, 2, 112, 192, 4),
        (6, 3, 1, 192, 320, 1),
    ];

    /// <summary>Channels scaled by the width multiplier.</summary>
    internal int ScaleChannels(int channels) => MakeDivisible(channels * WidthMultiplier, 8);

    /// <summary>Blocks scaled by the depth multiplier.</summary>
    internal int ScaleBlocks(int blocks) => (int)Math.Ceiling(blocks * DepthMultiplier);

    /// <summary>torchvision's <c>_make_divisible</c>: nearest multiple of the divisor, never more than 10 % below v.</summary>
    internal static int MakeDivisible(double v, int divisor)
    {
        var rounded = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }
}
