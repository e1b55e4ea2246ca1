namespace Derby.Domain;

/// <summary>Where a <see cref="NetworkModel"/> stands.</summary>
public enum NetworkModelStatus
{
    /// <summary>Asked for; the training job has not started.</summary>
    Queued = 1,

    /// <summary>The training job is running (or crashed while running: the next run starts over).</summary>
    Training = 2,

    /// <summary>Trained: the best checkpoint is in the artefact store.</summary>
    Trained = 3,

    /// <summary>Training failed; <see cref="NetworkModel.Error"/> says why.</summary>
    Failed = 4,
}

/// <summary>
/// One training of the DERBY pair network (PET EfficientNet-b3 + CT ResNet-34) on the accepted lesions' pairs of a
/// training cohort, with its progress (updated after every epoch), history and best checkpoint.
/// </summary>
public sealed class NetworkModel
{
    /// <summary>Key.</summary>
    public Guid Id { get; set; }

    /// <summary>Unique version name, "net-YYYYMMDD-HHMMSS".</summary>
    public required string Version { get; set; }

    /// <summary>The cohort trained on.</summary>
    public int CohortId { get; set; }

    /// <summary>The cohort trained on.</summary>
    public Cohort? Cohort { get; set; }

    /// <summary>Where the training stands.</summary>
    public NetworkModelStatus Status { get; set; }

    /// <summary>The training settings (epochs, batch, learning rate, seed, crop size, device, patience, validation fraction) as JSON.</summary>
    public required string SettingsJson { get; set; }

    /// <summary>Epochs done.</summary>
    public int CurrentEpoch { get; set; }

    /// <summary>Epochs asked for (early stopping may end sooner).</summary>
    public int TotalEpochs { get; set; }

    /// <summary>Per epoch: train loss, validation loss, validation AUC (JSON array); plus the patient-level vote once trained.</summary>
    public string? HistoryJson { get; set; }

    /// <summary>The epoch whose weights were kept (1-based); 0 before the first epoch.</summary>
    public int BestEpoch { get; set; }

    /// <summary>Pair-level validation AUC of the kept weights.</summary>
    public double? ValidationAuc { get; set; }

    /// <summary>SHA-256 of the checkpoint in the artefact store (kind "networks").</summary>
    public string? CheckpointSha256 { get; set; }

    /// <summary>Patients trained on.</summary>
    public int TrainingPatients { get; set; }

    /// <summary>Patients held out for validation.</summary>
    public int ValidationPatients { get; set; }

    /// <summary>Pairs trained on.</summary>
    public int TrainingPairs { get; set; }

    /// <summary>Pairs held out for validation.</summary>
    public int ValidationPairs { get; set; }

    /// <summary>Why the training failed.</summary>
    public string? Error { get; set; }

    /// <summary>Who asked for the training.</summary>
    public required string RequestedBy { get; set; }

    /// <summary>When it was asked for.</summary>
    public DateTime RequestedUtc { get; set; }

    /// <summary>When the (last) run started.</summary>
    public DateTime? StartedUtc { get; set; }

    /// <summary>When it was trained or failed.</summary>
    public DateTime? FinishedUtc { get; set; }
}
