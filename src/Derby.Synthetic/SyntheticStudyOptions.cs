using Derby.Synthetic.Output;

namespace Derby.Synthetic;

/// <summary>What to generate and where.</summary>
public sealed record SyntheticStudyOptions(string OutputDirectory, ulong Seed, StudyScale Scale)
{
    /// <summary>Defects to inject; the i-th goes into the i-th patient in pseudonym order (recorded in the ground truth).</summary>
    public IReadOnlyList<FaultKind> Faults { get; init; } = [];

    /// <summary>False writes only the CSV tables and the ground truth (seconds even at paper scale).</summary>
    public bool Images { get; init; } = true;
}
