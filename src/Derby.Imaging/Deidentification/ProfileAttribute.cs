using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>One row of PS3.15 Table E.1-1: the attribute and its Basic Profile action code as the table writes it ("X/Z/D").</summary>
public sealed record ProfileAttribute(DicomTag Tag, string Name, string ActionCode)
{
    /// <summary>The action codes of the cell, as flags.</summary>
    public ProfileActions Actions { get; } = Parse(ActionCode);

    public static ProfileActions Parse(string code) =>
        code.Split('/').Aggregate(ProfileActions.None, (all, part) => all | part.TrimEnd('*') switch
        {
            "D" => ProfileActions.Dummy,
            "Z" => ProfileActions.Zero,
            "X" => ProfileActions.Remove,
            "K" => ProfileActions.Keep,
            "C" => ProfileActions.Clean,
            "U" => ProfileActions.ReplaceUid,
            _ => throw new FormatException($"Unknown PS3.15 action code '{part}' in '{code}'"),
        });
}
