using System.Globalization;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// The Basic Application Level Confidentiality Profile of DICOM PS3.15 (2024b) Annex E, Table E.1-1, as data: the listed
/// attributes with their action codes, plus the table's rules that are not single tags (private attributes, curve data
/// in the 50xx groups, overlay data and comments in the 60xx groups).
/// </summary>
public static partial class ConfidentialityProfile
{
    /// <summary>The edition the table was transcribed from.</summary>
    public const string Edition = "DICOM PS3.15 2024b, Annex E, Table E.1-1 (Basic Profile column)";

    /// <summary>Philips' PET private creator whose SUV factors the project keeps (see ADR 0008).</summary>
    public const string PhilipsPetPrivateCreator = "Philips PET Private Group";

    private static readonly Dictionary<DicomTag, ProfileAttribute> ByTag = ParseTable();

    /// <summary>Curve Data: every attribute of the repeating groups 5000-50FE (retired, but still found in old files).</summary>
    public static readonly ProfileAttribute CurveData = new(new DicomTag(0x5000, 0x0000), "Curve Data", "X");

    /// <summary>Overlay Data (60xx,3000).</summary>
    public static readonly ProfileAttribute OverlayData = new(new DicomTag(0x6000, 0x3000), "Overlay Data", "X");

    /// <summary>Overlay Comments (60xx,4000).</summary>
    public static readonly ProfileAttribute OverlayComments = new(new DicomTag(0x6000, 0x4000), "Overlay Comments", "X");

    /// <summary>Private attributes (odd groups): X, unless the study keeps them (the Retain Safe Private Option).</summary>
    public static readonly ProfileAttribute PrivateAttributes = new(new DicomTag(0x0009, 0x0000), "Private attributes", "X");

    /// <summary>The single-tag rows of the table, in tag order.</summary>
    public static IReadOnlyList<ProfileAttribute> Attributes { get; } = [.. ByTag.Values.OrderBy(a => a.Tag)];

    /// <summary>The rows that are rules over tag ranges: curves and overlays (private attributes are matched by <see cref="DicomTag.IsPrivate"/>).</summary>
    public static IReadOnlyList<ProfileAttribute> RepeatingGroupRules { get; } = [CurveData, OverlayData, OverlayComments];

    /// <summary>The profile row that covers a (non-private) tag, or null when the profile does not list it.</summary>
    public static ProfileAttribute? Find(DicomTag tag)
    {
        if (ByTag.TryGetValue(tag, out var attribute))
        {
            return attribute;
        }

        // Repeating groups: the even groups 5000-501E (curves) and 6000-601E (overlays); PS3.5 7.6.
        var isRepeating = (tag.Group & 1) == 0;
        if (isRepeating && tag.Group >> 8 == 0x50)
        {
            return CurveData;
        }

        if (isRepeating && tag.Group >> 8 == 0x60)
        {
            return tag.Element switch
            {
                0x3000 => OverlayData,
                0x4000 => OverlayComments,
                _ => null,
            };
        }

        return null;
    }

    /// <summary>The private creator element that reserves a private tag's block: (gggg,00bb) for (gggg,bbxx).</summary>
    public static DicomTag? PrivateCreatorTag(DicomTag tag) =>
        tag.IsPrivate && tag.Element >= 0x1000 ? new DicomTag(tag.Group, (ushort)(tag.Element >> 8)) : null;

    /// <summary>Whether a private tag is itself a private creator element (gggg,0010-00FF).</summary>
    public static bool IsPrivateCreator(DicomTag tag) => tag.IsPrivate && tag.Element is >= 0x0010 and <= 0x00FF;

    /// <summary>The creator named for a private tag in the data set that holds it, or null.</summary>
    public static string? PrivateCreatorOf(DicomDataset dataset, DicomTag tag) =>
        IsPrivateCreator(tag) ? dataset.GetString(tag) : PrivateCreatorTag(tag) is { } creator ? dataset.GetString(creator) : null;

    /// <summary>
    /// The private attributes the project keeps: Philips' PET SUV Scale Factor (7053,xx00) and Activity Concentration Scale
    /// Factor (7053,xx09) in the block reserved by "Philips PET Private Group", and that creator element itself. The block
    /// is looked up, not assumed to be 10: PS3.5 7.8.1 lets a writer reserve any free block.
    /// </summary>
    public static bool IsRetainedPrivate(DicomDataset dataset, DicomTag tag)
    {
        if (tag.Group != 0x7053 || PrivateCreatorOf(dataset, tag) != PhilipsPetPrivateCreator)
        {
            return false;
        }

        return IsPrivateCreator(tag) || (tag.Element & 0xFF) is 0x00 or 0x09;
    }

    private static Dictionary<DicomTag, ProfileAttribute> ParseTable()
    {
        var rows = new Dictionary<DicomTag, ProfileAttribute>();
        foreach (var line in Table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 3);
            var tag = new DicomTag(
                ushort.Parse(parts[0].AsSpan(0, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ushort.Parse(parts[0].AsSpan(5, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if (!rows.TryAdd(tag, new ProfileAttribute(tag, parts[2], parts[1])))
            {
                throw new InvalidOperationException($"Confidentiality profile lists {tag} twice");
            }
        }

        return rows;
    }
}
