namespace Derby.Imaging.Deidentification;

/// <summary>What Scrub did to an attribute.</summary>
public enum AttributeChange
{
    /// <summary>X: removed.</summary>
    Removed,

    /// <summary>Z: value replaced by a zero-length one (sequences: no items).</summary>
    Emptied,

    /// <summary>D: value replaced by a dummy consistent with the VR.</summary>
    ReplacedWithDummy,

    /// <summary>Patient's Name or Patient ID set to the case's pseudonym (added when missing).</summary>
    SetToPseudonym,
}
