namespace Derby.Domain;

/// <summary>A frozen, versioned DERBY or DERBY+ model. The model issue completes its provenance.</summary>
public sealed class ModelVersion
{
    public int Id { get; set; }

    /// <summary>Human-readable version, e.g. "derby-plus-2026.11.1".</summary>
    public required string Version { get; set; }

    public required string Kind { get; set; }

    public bool IsActive { get; set; }

    /// <summary>SHA-256 of the frozen artefact bundle.</summary>
    public string? ArtefactSha256 { get; set; }

    public DateTime CreatedUtc { get; set; }
}
