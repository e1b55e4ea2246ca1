namespace Derby.Domain;

/// <summary>F_img of one pair: its responsibilities under a <see cref="MixtureModel"/> (K numbers summing to 1).</summary>
public sealed class PairImageFeature
{
    /// <summary>Key.</summary>
    public long Id { get; set; }

    /// <summary>The mixture.</summary>
    public Guid MixtureModelId { get; set; }

    /// <summary>The mixture.</summary>
    public MixtureModel? MixtureModel { get; set; }

    /// <summary>The pair.</summary>
    public long ImagePairId { get; set; }

    /// <summary>The pair.</summary>
    public ImagePair? ImagePair { get; set; }

    /// <summary>The K responsibilities as a JSON array.</summary>
    public required string ResponsibilitiesJson { get; set; }
}
