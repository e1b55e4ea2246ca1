using Derby.Synthetic.Output;

namespace Derby.Synthetic;

/// <summary>What was written: counts for the command line's summary, and the ground truth.</summary>
public sealed record SyntheticStudyResult(int Patients, int DicomFiles, long Bytes, GroundTruth Truth);
