namespace Derby.Imaging.Deidentification;

/// <summary>The action codes of PS3.15 Annex E (E.1.1); a table cell such as "X/Z/D" sets several.</summary>
[Flags]
public enum ProfileActions
{
    None = 0,

    /// <summary>D: replace with a non-zero length dummy value consistent with the VR.</summary>
    Dummy = 1,

    /// <summary>Z: replace with a zero length value (or a dummy).</summary>
    Zero = 2,

    /// <summary>X: remove.</summary>
    Remove = 4,

    /// <summary>K: keep.</summary>
    Keep = 8,

    /// <summary>C: clean (keep only values free of identifying information).</summary>
    Clean = 16,

    /// <summary>U: replace the UID with a consistent non-identifying one (U*: the UIDs inside a sequence).</summary>
    ReplaceUid = 32,
}
