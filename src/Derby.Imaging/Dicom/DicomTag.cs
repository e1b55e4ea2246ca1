using System.Globalization;

namespace Derby.Imaging.Dicom;

/// <summary>A DICOM attribute tag (group, element).</summary>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    public bool IsPrivate => (Group & 1) == 1;

    public int CompareTo(DicomTag other) => ((uint)Group << 16 | Element).CompareTo((uint)other.Group << 16 | other.Element);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");
}
