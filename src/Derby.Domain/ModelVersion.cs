namespace Derby.Domain;

/// <summary>Where a <see cref="ModelVersion"/> stands.</summary>
public enum ModelVersionStatus
{
    /// <summary>Asked for; the training job has not started.</summary>
    Queued = 1,

    /// <summary>The training job is running (or crashed while running: the next run starts over).</summary>
    Training = 2,

    /// <summary>Trained and frozen: the manifest and its artefacts never change again.</summary>
    Trained = 3,

    /// <summary>Training failed; <see cref="ModelVersion.Error"/> says why.</summary>
    Failed = 4,
}

/// <summary>
/// A DERBY or DERBY+ model version: LASSO-selected clinical factors, the network's F_img (through its Gaussian mixture)
/// and, for DERBY+, the IHC scores, in a random forest on one row per 2.5D pair. Once trained it is frozen: the manifest
/// (every input, setting, seed and artefact hash) is stored as text with its SHA-256, and the artefacts are checked
/// against it whenever the model is loaded. Only <see cref="IsActive"/> may change afterwards.
/// </summary>
public sealed class ModelVersion
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>Unique version name, e.g. "derby-plus-20261127-161200".</summary>
    public required string Version { get; set; }

    /// <summary>"derby" or "derby-plus".</summary>
    public required string Kind { get; set; }

    /// <summary>The version used when none is named (one per kind).</summary>
    public bool IsActive { get; set; }

    /// <summary>SHA-256 of <see cref="ManifestJson"/>: the frozen model's identity.</summary>
    public string? ArtefactSha256 { get; set; }

    /// <summary>When the version was created (asked for).</summary>
    public DateTime CreatedUtc { get; set; }

    /// <summary>Where the training stands.</summary>
    public ModelVersionStatus Status { get; set; } = ModelVersionStatus.Trained;

    /// <summary>The cohort trained on (a training or histology cohort).</summary>
    public int? CohortId { get; set; }

    /// <summary>The cohort trained on.</summary>
    public Cohort? Cohort { get; set; }

    /// <summary>The pair network whose F_img the model uses.</summary>
    public Guid? NetworkModelId { get; set; }

    /// <summary>The pair network.</summary>
    public NetworkModel? NetworkModel { get; set; }

    /// <summary>The request (kind, network, LASSO rule, forest options, seeds) as JSON.</summary>
    public string? SettingsJson { get; set; }

    /// <summary>The frozen manifest (JSON): what <see cref="ArtefactSha256"/> hashes.</summary>
    public string? ManifestJson { get; set; }

    /// <summary>Where the training job is, in words (while it runs).</summary>
    public string? Progress { get; set; }

    /// <summary>Why the training failed.</summary>
    public string? Error { get; set; }

    /// <summary>Who asked for the training.</summary>
    public string? RequestedBy { get; set; }

    /// <summary>When the model was frozen.</summary>
    public DateTime? TrainedUtc { get; set; }
}
