namespace Derby.Domain;

/// <summary>The 1024-d features a trained network gives the pairs of one pair set: float32 [pairs × 1024] in the artefact store (kind "features").</summary>
public sealed class FeatureSet
{
    /// <summary>Key.</summary>
    public long Id { get; set; }

    /// <summary>The network.</summary>
    public Guid NetworkModelId { get; set; }

    /// <summary>The network.</summary>
    public NetworkModel? NetworkModel { get; set; }

    /// <summary>The pair set.</summary>
    public Guid PairSetId { get; set; }

    /// <summary>The pair set.</summary>
    public PairSet? PairSet { get; set; }

    /// <summary>SHA-256 of the feature file.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Rows of the feature file (the pair set's pairs, in index order).</summary>
    public int PairCount { get; set; }

    /// <summary>When extracted.</summary>
    public DateTime CreatedUtc { get; set; }
}
