namespace Derby.Domain;

/// <summary>Where a lesion's segmentation stands.</summary>
public enum LesionStatus
{
    /// <summary>Asked for; the segmentation job has not finished.</summary>
    Queued = 1,

    /// <summary>The job delineated it; the physician has not decided yet.</summary>
    Segmented = 2,

    /// <summary>The physician accepted it: it counts for SUVmax and its 2.5D pairs are built.</summary>
    Accepted = 3,

    /// <summary>Set aside by the physician (redone with another box or threshold, or not a lesion). Kept, never deleted.</summary>
    Discarded = 4,

    /// <summary>The job could not segment it; <see cref="Lesion.Error"/> says why.</summary>
    Failed = 5,
}

/// <summary>Where a patient's clinical SUVmax came from.</summary>
public enum SuvMaxSource
{
    /// <summary>Typed or imported by the site.</summary>
    Entered = 1,

    /// <summary>The highest SUVmax of the patient's accepted lesions (<see cref="ClinicalRecord.SuvMaxLesionId"/>).</summary>
    Segmentation = 2,
}

/// <summary>
/// One liver lesion as the nuclear physician delineated it on baseline PET: the box drawn around it (voxel indices of the
/// PET series in its sorted slice order), the method's settings, and what the segmentation job found. The mask is kept
/// inside the box only (gzip of one byte per box voxel, z-major).
/// </summary>
public sealed class Lesion
{
    public Guid Id { get; set; }

    public Guid PatientId { get; set; }

    public Patient? Patient { get; set; }

    public Guid PetSeriesId { get; set; }

    public ImagingSeries? PetSeries { get; set; }

    public int BoxX0 { get; set; }

    public int BoxY0 { get; set; }

    public int BoxZ0 { get; set; }

    public int BoxX1 { get; set; }

    public int BoxY1 { get; set; }

    public int BoxZ1 { get; set; }

    /// <summary>The threshold the physician set by hand (SUV); null for the adaptive method.</summary>
    public double? FixedThresholdSuv { get; set; }

    /// <summary>Every setting of the method, as JSON (stored with the result so it can be reproduced).</summary>
    public required string SettingsJson { get; set; }

    /// <summary>SHA-256 of the inputs: the PET instances' hashes, the SUV factor, the box and the settings. A request with the same inputs reuses the lesion.</summary>
    public required string InputsSha256 { get; set; }

    public LesionStatus Status { get; set; }

    public string? Error { get; set; }

    public int Voxels { get; set; }

    public double MtvMl { get; set; }

    public double SuvMax { get; set; }

    public double SuvMean { get; set; }

    public double SuvPeak { get; set; }

    public double Tlg { get; set; }

    public double ThresholdSuv { get; set; }

    public double BackgroundSuv { get; set; }

    public int Iterations { get; set; }

    public bool Converged { get; set; }

    /// <summary>Thresholds of each iteration, JSON array.</summary>
    public string? ThresholdHistoryJson { get; set; }

    /// <summary>The method's warnings (box edge touched, nothing above background...), JSON array of sentences.</summary>
    public string? WarningsJson { get; set; }

    public int SuvMaxX { get; set; }

    public int SuvMaxY { get; set; }

    public int SuvMaxZ { get; set; }

    /// <summary>gzip of the mask inside the box (one byte per voxel, 1 = lesion).</summary>
    public byte[]? MaskGzip { get; set; }

    /// <summary>The lesion this one redoes (another box or threshold); that one is discarded when this one is accepted.</summary>
    public Guid? ReplacesLesionId { get; set; }

    public required string RequestedBy { get; set; }

    public DateTime RequestedUtc { get; set; }

    public DateTime? SegmentedUtc { get; set; }

    public string? DecidedBy { get; set; }

    public DateTime? DecidedUtc { get; set; }

    public List<PairSet> PairSets { get; } = [];
}

/// <summary>
/// The 2.5D PET/CT pairs of an accepted lesion, built once with recorded settings and stored as one file in the data
/// store (content-addressed by <see cref="Sha256"/>) so training and scoring read them without redoing the imaging.
/// </summary>
public sealed class PairSet
{
    public Guid Id { get; set; }

    public Guid LesionId { get; set; }

    public Lesion? Lesion { get; set; }

    public Guid CtSeriesId { get; set; }

    public ImagingSeries? CtSeries { get; set; }

    /// <summary>Crop size, normalisation windows and resampling, as JSON.</summary>
    public required string SettingsJson { get; set; }

    public int PairCount { get; set; }

    /// <summary>Sum of the pairs' ROI areas (voxels), the denominator of the area-weighted vote.</summary>
    public int TotalRoiArea { get; set; }

    /// <summary>SHA-256 of the pairs file (its address in the store).</summary>
    public required string Sha256 { get; set; }

    public long SizeBytes { get; set; }

    public DateTime CreatedUtc { get; set; }

    public List<ImagePair> Pairs { get; } = [];
}

/// <summary>One 2.5D pair: a PET slice crossing the lesion and the three CT slices nearest to it.</summary>
public sealed class ImagePair
{
    public long Id { get; set; }

    public Guid PairSetId { get; set; }

    public PairSet? PairSet { get; set; }

    /// <summary>0-based position of the pair in its file.</summary>
    public int Index { get; set; }

    /// <summary>PET slice (sorted order of the PET series).</summary>
    public int PetSlice { get; set; }

    /// <summary>The three CT slice indices (sorted order of the CT series), comma-separated.</summary>
    public required string CtSlices { get; set; }

    /// <summary>Mask voxels on the PET slice: the pair's weight in the patient's vote.</summary>
    public int RoiArea { get; set; }
}
