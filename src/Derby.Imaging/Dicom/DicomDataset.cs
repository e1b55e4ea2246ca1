using System.Buffers.Binary;
using System.Globalization;

namespace Derby.Imaging.Dicom;

/// <summary>
/// A toolkit-neutral DICOM data set: attributes kept in tag order. The project's DICOM adapters (GDCM today) translate
/// it to and from files, so no other code depends on a toolkit's types.
/// </summary>
public sealed class DicomDataset
{
    private readonly SortedDictionary<DicomTag, DicomElement> elements = new();

    public IEnumerable<DicomElement> Elements => elements.Values;

    public int Count => elements.Count;

    public bool Contains(DicomTag tag) => elements.ContainsKey(tag);

    public DicomElement? this[DicomTag tag] => elements.GetValueOrDefault(tag);

    public DicomDataset Add(DicomElement element)
    {
        elements[element.Tag] = element;
        return this;
    }

    public DicomDataset Remove(DicomTag tag)
    {
        elements.Remove(tag);
        return this;
    }

    public DicomDataset Text(DicomTag tag, DicomVR vr, string value) => Add(new DicomText(tag, vr, value));

    /// <summary>Decimal string(s), formatted invariantly with at most 16 characters each as DICOM requires.</summary>
    public DicomDataset Decimal(DicomTag tag, params double[] values) =>
        Add(new DicomText(tag, DicomVR.DS, string.Join('\\', values.Select(FormatDecimalString))));

    public DicomDataset Integer(DicomTag tag, params int[] values) =>
        Add(new DicomText(tag, DicomVR.IS, string.Join('\\', values.Select(v => v.ToString(CultureInfo.InvariantCulture)))));

    public DicomDataset UnsignedShort(DicomTag tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return Add(new DicomBinary(tag, DicomVR.US, bytes));
    }

    public DicomDataset Sequence(DicomTag tag, params DicomDataset[] items) => Add(new DicomSequence(tag, items));

    public string? GetText(DicomTag tag) => (this[tag] as DicomText)?.Value;

    /// <summary>The text value trimmed of DICOM padding (spaces, NUL), or null when absent or empty.</summary>
    public string? GetString(DicomTag tag) => GetText(tag)?.Trim(' ', '\0') is { Length: > 0 } s ? s : null;

    /// <summary>All values of a DS or IS attribute (backslash-separated), or null when absent, empty or not numeric.</summary>
    public double[]? GetNumbers(DicomTag tag)
    {
        var text = GetString(tag);
        if (text is null)
        {
            return null;
        }

        var parts = text.Split('\\');
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>The first value of a DS or IS attribute, or null.</summary>
    public double? GetNumber(DicomTag tag) => GetNumbers(tag) is [var first, ..] ? first : null;

    /// <summary>An unsigned short (US) value, or null.</summary>
    public ushort? GetUnsignedShort(DicomTag tag) =>
        this[tag] is DicomBinary { Value.Length: >= 2 } b ? BinaryPrimitives.ReadUInt16LittleEndian(b.Value) : null;

    /// <summary>The items of a sequence, or an empty list.</summary>
    public IReadOnlyList<DicomDataset> GetItems(DicomTag tag) => (this[tag] as DicomSequence)?.Items ?? [];

    /// <summary>Formats a DS value: the shortest round-trip form that fits in 16 characters.</summary>
    public static string FormatDecimalString(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "DICOM decimal strings must be finite");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Length <= 16)
        {
            return text;
        }

        for (var digits = 15; digits > 0; digits--)
        {
            text = value.ToString("G" + digits, CultureInfo.InvariantCulture);
            if (text.Length <= 16)
            {
                return text;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "Cannot be written as a 16-character decimal string");
    }
}
