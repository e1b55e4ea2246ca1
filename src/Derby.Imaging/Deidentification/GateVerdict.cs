namespace Derby.Imaging.Deidentification;

/// <summary>The gate's answer for one file: accepted when nothing was found.</summary>
public sealed record GateVerdict(IReadOnlyList<GateFinding> Findings)
{
    public bool Accepted => Findings.Count == 0;
}
