namespace Derby.Imaging.Deidentification;

/// <summary>What the gate does with a file that carries attributes of the confidentiality profile (a per-study setting).</summary>
public enum DeidentificationMode
{
    /// <summary>Refuse the file and report why (the default: the site fixes its export).</summary>
    Reject = 0,

    /// <summary>Apply the profile, keep what quantitation needs, record what was removed; refuse only what cannot be cleaned.</summary>
    Scrub = 1,
}
