using System.Buffers.Binary;
using System.Globalization;
using Derby.Imaging.Dicom;

namespace Derby.Web.Endpoints;

/// <summary>
/// A data set as DICOM JSON (PS3.18 F.2): keys are 8 hex digits, values carry "vr" and "Value". Person names are
/// {"Alphabetic": ...}; DS and IS are numbers; binary numbers are read little endian (as the project's DICOM layer keeps
/// them). Bulk data (OB, OW, UN) and the pixel data are left out: WADO-RS returns the instance for those.
/// </summary>
public static class DicomJsonWriter
{
    public static Dictionary<string, object> Write(DicomDataset dataset)
    {
        var json = new Dictionary<string, object>();
        foreach (var element in dataset.Elements.OrderBy(e => e.Tag))
        {
            var value = Values(element);
            var attribute = new Dictionary<string, object> { ["vr"] = element.VR.ToString() };
            if (value is { Count: > 0 })
            {
                attribute["Value"] = value;
            }

            json[$"{element.Tag.Group:X4}{element.Tag.Element:X4}"] = attribute;
        }

        return json;
    }

    private static List<object>? Values(DicomElement element)
    {
        switch (element)
        {
            case DicomSequence sequence:
                return sequence.Items.Select(item => (object)Write(item)).ToList();
            case DicomText text:
                var trimmed = text.Value.TrimEnd(' ', '\0');
                if (trimmed.Length == 0)
                {
                    return null;
                }

                if (text.VR is DicomVR.LT or DicomVR.ST or DicomVR.UT)
                {
                    return [trimmed];
                }

                var parts = trimmed.Split('\\').Select(p => p.Trim(' ', '\0')).ToList();
                return text.VR switch
                {
                    DicomVR.PN => parts.Select(p => (object)new Dictionary<string, string> { ["Alphabetic"] = p }).ToList(),
                    DicomVR.DS or DicomVR.IS => parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                        ? parts.Select(p => (object)double.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList()
                        : null,
                    _ => parts.Select(p => (object)p).ToList(),
                };
            case DicomBinary binary:
                return binary.VR switch
                {
                    DicomVR.US => Numbers(binary.Value, 2, b => BinaryPrimitives.ReadUInt16LittleEndian(b)),
                    DicomVR.SS => Numbers(binary.Value, 2, b => BinaryPrimitives.ReadInt16LittleEndian(b)),
                    DicomVR.UL => Numbers(binary.Value, 4, b => BinaryPrimitives.ReadUInt32LittleEndian(b)),
                    DicomVR.FL => Numbers(binary.Value, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b)),
                    DicomVR.FD => Numbers(binary.Value, 8, b => BinaryPrimitives.ReadDoubleLittleEndian(b)),
                    DicomVR.AT => Enumerable.Range(0, binary.Value.Length / 4).Select(i => (object)(
                        BinaryPrimitives.ReadUInt16LittleEndian(binary.Value.AsSpan(4 * i)).ToString("X4", CultureInfo.InvariantCulture)
                        + BinaryPrimitives.ReadUInt16LittleEndian(binary.Value.AsSpan(4 * i + 2)).ToString("X4", CultureInfo.InvariantCulture))).ToList(),
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static List<object> Numbers(byte[] bytes, int size, Func<ReadOnlySpan<byte>, object> read)
    {
        var values = new List<object>(bytes.Length / size);
        for (var i = 0; i + size <= bytes.Length; i += size)
        {
            values.Add(read(bytes.AsSpan(i, size)));
        }

        return values;
    }
}
