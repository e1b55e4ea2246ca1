using Derby.Imaging.Dicom;

namespace Derby.Imaging.Quantitation;

/// <summary>
/// Finds a private attribute through its creator (PS3.5 7.8.1): the creator string in (gggg,00xx) reserves the block
/// (gggg,xx00-xxFF). A fixed element number is only right when the vendor got the first block, so never assume it.
/// </summary>
internal static class PrivateTagLookup
{
    /// <summary>The tag at <paramref name="elementOffset"/> (0x00-0xFF) of the block <paramref name="creator"/> reserved, or null.</summary>
    public static DicomTag? Find(DicomDataset dataset, ushort group, string creator, byte elementOffset)
    {
        for (ushort slot = 0x10; slot <= 0xFF; slot++)
        {
            if (string.Equals(dataset.GetString(new DicomTag(group, slot)), creator, StringComparison.OrdinalIgnoreCase))
            {
                return new DicomTag(group, (ushort)(slot << 8 | elementOffset));
            }
        }

        return null;
    }
}
