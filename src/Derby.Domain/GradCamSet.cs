namespace Derby.Domain;

/// <summary>
/// The Grad-CAM maps (responder class) of one pair set under a network: float32 little-endian [pairs × 2 × S × S] in the
/// artefact store (kind "gradcam"), per pair the PET branch's map then the CT branch's, each in [0, 1].
/// </summary>
public sealed class GradCamSet
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

    /// <summary>SHA-256 of the maps file.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Pairs in the file (index order).</summary>
    public int PairCount { get; set; }

    /// <summary>Side S of the maps (the network's crop size).</summary>
    public int CropSize { get; set; }

    /// <summary>When computed.</summary>
    public DateTime CreatedUtc { get; set; }
}
