using System.Buffers.Binary;
using System.Text;

namespace Derby.Web.FunctionalTests.BadInput;

/// <summary>
/// A minimal DICOM writer (Part 10 file, explicit VR little endian) for the bad-input corpus: a valid 8x8 CT or PET
/// slice of a pseudonymous patient, so that each corpus item can break exactly one thing (an attribute, a length, the
/// transfer syntax) and the refusal is for that thing alone. The positive control in <see cref="BadInputCorpusTests"/>
/// proves the unbroken slices are accepted.
/// </summary>
internal sealed class CorpusDicom
{
    public const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    private const string PetImageStorage = "1.2.840.10008.5.1.4.1.1.128";
    private static readonly HashSet<string> LongVrs = ["OB", "OW", "OF", "SQ", "UT", "UN"];

    private readonly SortedDictionary<uint, (string Vr, byte[] Value)> elements = [];

    public string TransferSyntax { get; set; } = ExplicitLittleEndian;

    /// <summary>One slice of a series: same study, series and frame of reference for the same <paramref name="seed"/> (digits).</summary>
    public static CorpusDicom Slice(string pseudonym, int index, string seed = "1", string modality = "CT")
    {
        var root = "2.25.4242" + seed;
        var d = new CorpusDicom();
        d.Set(0x0008, 0x0016, "UI", modality == "PT" ? PetImageStorage : CtImageStorage);
        d.Set(0x0008, 0x0018, "UI", $"{root}.3.{index + 1}");
        d.Set(0x0008, 0x0060, "CS", modality);
        d.Set(0x0010, 0x0010, "PN", pseudonym);
        d.Set(0x0010, 0x0020, "LO", pseudonym);
        d.Set(0x0018, 0x0050, "DS", "2");
        d.Set(0x0020, 0x000D, "UI", $"{root}.1");
        d.Set(0x0020, 0x000E, "UI", $"{root}.2");
        d.Set(0x0020, 0x0013, "IS", (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        d.Set(0x0020, 0x0032, "DS", $"0\\0\\{index * 2}");
        d.Set(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
        d.Set(0x0020, 0x0052, "UI", $"{root}.4");
        d.SetUs(0x0028, 0x0002, 1);
        d.Set(0x0028, 0x0004, "CS", "MONOCHROME2");
        d.SetUs(0x0028, 0x0010, 8);
        d.SetUs(0x0028, 0x0011, 8);
        d.Set(0x0028, 0x0030, "DS", "1\\1");
        d.SetUs(0x0028, 0x0100, 16);
        d.SetUs(0x0028, 0x0101, 16);
        d.SetUs(0x0028, 0x0102, 15);
        d.SetUs(0x0028, 0x0103, 1);
        d.Set(0x0028, 0x1052, "DS", "-1024");
        d.Set(0x0028, 0x1053, "DS", "1");
        var pixels = new byte[8 * 8 * 2];
        for (var i = 0; i < 64; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(i * 2), (short)(1000 + (i * 7 % 50)));
        }

        d.SetBytes(0x7FE0, 0x0010, "OW", pixels);
        return d;
    }

    /// <summary>A series of <paramref name="count"/> slices 2 mm apart.</summary>
    public static List<CorpusDicom> Series(string pseudonym, int count, string seed, string modality = "CT") =>
        [.. Enumerable.Range(0, count).Select(i => Slice(pseudonym, i, seed, modality))];

    public CorpusDicom Set(ushort group, ushort element, string vr, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length % 2 == 1)
        {
            bytes = [.. bytes, vr == "UI" ? (byte)0 : (byte)' '];
        }

        return SetBytes(group, element, vr, bytes);
    }

    /// <summary>A text value in UTF-8 (with Specific Character Set ISO_IR 192 set by the caller when it matters).</summary>
    public CorpusDicom SetUtf8(ushort group, ushort element, string vr, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return SetBytes(group, element, vr, bytes.Length % 2 == 1 ? [.. bytes, (byte)' '] : bytes);
    }

    public CorpusDicom SetUs(ushort group, ushort element, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return SetBytes(group, element, "US", bytes);
    }

    public CorpusDicom SetBytes(ushort group, ushort element, string vr, byte[] value)
    {
        elements[((uint)group << 16) | element] = (vr, value);
        return this;
    }

    public CorpusDicom Remove(ushort group, ushort element)
    {
        elements.Remove(((uint)group << 16) | element);
        return this;
    }

    /// <summary>The Part 10 file: 128-byte preamble, "DICM", file meta information, then the data set.</summary>
    public byte[] ToBytes(bool preamble = true)
    {
        using var meta = new MemoryStream();
        var sopClass = elements.TryGetValue(0x00080016, out var c) ? Encoding.ASCII.GetString(c.Value).TrimEnd('\0', ' ') : CtImageStorage;
        var sopInstance = elements.TryGetValue(0x00080018, out var s) ? Encoding.ASCII.GetString(s.Value).TrimEnd('\0', ' ') : "2.25.1";
        Write(meta, 0x0002, 0x0001, "OB", [0, 1]);
        Write(meta, 0x0002, 0x0002, "UI", Ui(sopClass));
        Write(meta, 0x0002, 0x0003, "UI", Ui(sopInstance));
        Write(meta, 0x0002, 0x0010, "UI", Ui(TransferSyntax));
        Write(meta, 0x0002, 0x0012, "UI", Ui("2.25.424242"));
        using var file = new MemoryStream();
        if (preamble)
        {
            file.Write(new byte[128]);
            file.Write("DICM"u8);
        }

        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)meta.Length);
        Write(file, 0x0002, 0x0000, "UL", length);
        meta.Position = 0;
        meta.CopyTo(file);
        foreach (var (tag, (vr, value)) in elements)
        {
            Write(file, (ushort)(tag >> 16), (ushort)tag, vr, value);
        }

        return file.ToArray();
    }

    /// <summary>The file with the 4-byte length of the first (<paramref name="group"/>,<paramref name="element"/>) header replaced.</summary>
    public byte[] WithLyingLength(ushort group, ushort element, uint length)
    {
        var bytes = ToBytes();
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, group);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], element);
        var at = bytes.AsSpan(132).IndexOf(header) + 132;
        var vr = Encoding.ASCII.GetString(bytes, at + 4, 2);
        if (LongVrs.Contains(vr))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 8), length);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 6), (ushort)Math.Min(length, ushort.MaxValue));
        }

        return bytes;
    }

    private static byte[] Ui(string uid) => Encoding.ASCII.GetBytes(uid.Length % 2 == 1 ? uid + "\0" : uid);

    private static void Write(Stream stream, ushort group, ushort element, string vr, byte[] value)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(header, group);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], element);
        header[4] = (byte)vr[0];
        header[5] = (byte)vr[1];
        if (LongVrs.Contains(vr))
        {
            header[6] = 0;
            header[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)value.Length);
            stream.Write(header);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)value.Length);
            stream.Write(header[..8]);
        }

        stream.Write(value);
    }
}
