using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Derby.Imaging.Dicom;
using Derby.Imaging.Series;

namespace Derby.Imaging.Gdcm;

/// <summary>
/// Reads DICOM with GDCM into the project's <see cref="DicomDataset"/>: text attributes as text (in the file's character
/// set), numbers as little-endian values whatever the file's byte order, sequences recursively; pixel data is decoded
/// on demand by <see cref="ReadFrame"/>.
/// </summary>
public sealed class GdcmDicomFileReader : IDicomFileReader, IRescalingFrameReader
{
    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<gdcm.VR.VRType, string> VrNames = new();

    public GdcmDicomFileReader()
    {
        GdcmNative.EnsureLoaded();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public DicomFile Read(string path)
    {
        CheckFile(path);
        // Most image files end with native pixel data: their attributes are parsed up to Pixel Data, whose value is skipped,
        // and where it lies is noted for VolumeBuilder, which then reads the bytes without a second parse. Anything else (pixel
        // data followed by other elements, encapsulated or big-endian data, a cut-off file) is parsed whole, as before.
        using (var partial = new gdcm.Reader())
        {
            partial.SetFileName(path);
            using var skip = new gdcm.TagSetType();
            skip.Add(new gdcm.Tag(0x7FE0, 0x0010));
            if (partial.ReadUpToTag(new gdcm.Tag(0x7FE0, 0x0010), skip))
            {
                var file = partial.GetFile();
                var ts = file.GetHeader().GetDataSetTransferSyntax();
                var tsUid = ts.GetString()?.TrimEnd('\0', ' ') ?? "";
                if (!ts.IsEncapsulated() && tsUid != "1.2.840.10008.1.2.2"
                    && LocateNativePixelData(path, (long)partial.GetStreamCurrentPosition(), ts.IsExplicit()) is { } native)
                {
                    var dataset = ConvertFile(file, path, bigEndian: false);
                    CheckNativeLength(path, file.GetDataSet(), native.Length);
                    return new DicomFile(path, tsUid, dataset, native);
                }
            }
        }

        using var reader = Open(path);
        {
            var file = reader.GetFile();
            var ts = file.GetHeader().GetDataSetTransferSyntax();
            var tsUid = ts.GetString()?.TrimEnd('\0', ' ') ?? "";
            var dataset = ConvertFile(file, path, tsUid == "1.2.840.10008.1.2.2");
            // An image (Rows and Columns given) without its pixels would be stored and fail in every viewer; documents
            // (structured reports, plans) have neither and are read as before.
            if (file.GetDataSet().FindDataElement(new gdcm.Tag(0x0028, 0x0010)) && !file.GetDataSet().FindDataElement(new gdcm.Tag(0x7FE0, 0x0010)))
            {
                throw new DicomReadException(path, "has Rows and Columns but no Pixel Data (7FE0,0010): the image itself is missing");
            }

            CheckPixelLength(path, file.GetDataSet(), ts);
            return new DicomFile(path, tsUid, dataset);
        }
    }

    /// <summary>The file's data set (without Pixel Data) in the project's model.</summary>
    private static DicomDataset ConvertFile(gdcm.File file, string path, bool bigEndian)
    {
        using var strings = new gdcm.StringFilter();
        strings.SetFile(file);
        var source = file.GetDataSet();
        var charset = CharsetOf(source, strings);
        // Sequences come as owning smart pointers into the file: kept until the whole data set is converted, then released
        // while the file is still alive (released later, by the finalizer, they would point into freed memory).
        var keepAlive = new List<IDisposable>();
        DicomDataset dataset;
        try
        {
            dataset = Convert(source, strings, charset, path, keepAlive, bigEndian);
        }
        finally
        {
            for (var i = keepAlive.Count - 1; i >= 0; i--)
            {
                keepAlive[i].Dispose();
            }
        }

        return dataset.Count == 0 ? throw new DicomReadException(path, "contains no DICOM attributes") : dataset;
    }

    /// <summary>
    /// The Pixel Data value whose first byte is at <paramref name="valueStart"/> (where a read up to Pixel Data, skipping
    /// its value, stopped), when the header before it is a Pixel Data header of defined length and the value ends the file
    /// exactly; null otherwise (then the file is parsed whole).
    /// </summary>
    private static NativePixelData? LocateNativePixelData(string path, long valueStart, bool explicitVr)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> head = stackalloc byte[12];
        var header = explicitVr ? 12 : 8;
        var start = valueStart - header;
        if (start < 0 || valueStart > fileLength || RandomAccess.Read(handle, head[..header], start) != header
            || !head[..4].SequenceEqual((ReadOnlySpan<byte>)[0xE0, 0x7F, 0x10, 0x00]))
        {
            return null;
        }

        uint length;
        if (explicitVr)
        {
            var vr = (head[4], head[5]);
            if (vr is not ((byte)'O', (byte)'W') and not ((byte)'O', (byte)'B') || head[6] != 0 || head[7] != 0)
            {
                return null;
            }

            length = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
        }
        else
        {
            length = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        }

        return length != uint.MaxValue && valueStart + length == fileLength ? new NativePixelData(valueStart, length, fileLength) : null;
    }

    public DicomFrame ReadFrame(string path, int frame = 0)
    {
        using (var reader = Open(path))
        {
            var file = reader.GetFile();
            var ts = file.GetHeader().GetDataSetTransferSyntax();
            var ds = file.GetDataSet();
            var layout = Layout.Of(ds, path);
            if (!ts.IsEncapsulated())
            {
                // Native pixel data is read as it lies in the file: no decoder is needed, and none can fail.
                var pixel = new gdcm.Tag(0x7FE0, 0x0010);
                if (!ds.FindDataElement(pixel))
                {
                    throw new DicomReadException(path, "has no pixel data");
                }

                var element = ds.GetDataElement(pixel);
                var bytes = Bytes(element);
                // In a big-endian file GDCM has already swapped OW pixel data into little-endian 16-bit words; what is
                // left to undo is the word order of 32-bit values and the byte pairs of 8-bit values.
                var wordsSwapped = ts.GetString()?.TrimEnd('\0', ' ') == "1.2.840.10008.1.2.2" && VrText(element.GetVR()) == "OW";
                return layout.Decode(bytes, frame, wordsSwapped, path);
            }

            // A multi-frame layout GDCM's decoder asserts on (aborting the process) is refused instead.
            if (ds.FindDataElement(new gdcm.Tag(0x0028, 0x0009)) && !ds.FindDataElement(new gdcm.Tag(0x0028, 0x0008)))
            {
                throw new DicomReadException(path, "has a Frame Increment Pointer but no Number of Frames: the compressed pixel data is refused");
            }
        }

        using var imageReader = new gdcm.ImageReader();
        imageReader.SetFileName(path);
        if (!imageReader.Read())
        {
            throw new DicomReadException(path, "has no decodable image (truncated, or pixel data in an unsupported form)");
        }

        var image = imageReader.GetImage();
        var format = image.GetPixelFormat();
        var decoded = new Layout(
            (int)image.GetDimension(1),
            (int)image.GetDimension(0),
            format.GetSamplesPerPixel(),
            format.GetBitsAllocated(),
            format.GetBitsStored(),
            format.GetPixelRepresentation() == 1,
            image.GetNumberOfDimensions() > 2 ? (int)image.GetDimension(2) : 1);
        var buffer = new byte[image.GetBufferLength()];
        if (!image.GetBuffer(buffer))
        {
            throw new DicomReadException(path, $"pixel data could not be decoded ({image.GetTransferSyntax().GetString()?.TrimEnd('\0')})");
        }

        return decoded.Decode(buffer, frame, wordsSwapped: false, path);
    }

    /// <summary>
    /// VolumeBuilder's fast path for native little-endian 16-bit single-frame grey images (CT and PET as scanners write
    /// them): one parse, the pixel bytes copied once into a pooled buffer and rescaled straight into the volume. Other
    /// layouts return false and go through <see cref="ReadFrame"/>.
    /// </summary>
    bool IRescalingFrameReader.TryReadRescaled(string path, int rows, int columns, double slope, double intercept, double factor, Span<float> target)
    {
        if (!BitConverter.IsLittleEndian || target.Length != rows * columns)
        {
            return false;
        }

        using var reader = Open(path);

        var file = reader.GetFile();
        var ts = file.GetHeader().GetDataSetTransferSyntax();
        if (ts.IsEncapsulated() || ts.GetString()?.TrimEnd('\0', ' ') == "1.2.840.10008.1.2.2")
        {
            return false;
        }

        var ds = file.GetDataSet();
        var layout = Layout.Of(ds, path);
        if (layout.Rows != rows || layout.Columns != columns || layout.Samples != 1 || layout.BitsAllocated != 16 || layout.Frames != 1
            || layout.BitsStored is < 1 or > 16)
        {
            return false;
        }

        var pixel = new gdcm.Tag(0x7FE0, 0x0010);
        if (!ds.FindDataElement(pixel))
        {
            throw new DicomReadException(path, "has no pixel data");
        }

        var value = ds.GetDataElement(pixel).GetByteValue();
        var need = rows * columns * 2;
        var have = value is null ? 0 : (long)(uint)value.GetLength();
        if (have < need)
        {
            throw Layout.Truncated(path, have, need);
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(need);
        try
        {
            value!.GetBuffer(buffer, (uint)need);
            StoredValueRescaler.Rescale16(buffer.AsSpan(0, need), layout.Signed, layout.BitsStored, slope, intercept, factor, target);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return true;
    }

    /// <summary>The pixel layout of an image: enough to turn its bytes into stored values.</summary>
    private sealed record Layout(int Rows, int Columns, int Samples, int BitsAllocated, int BitsStored, bool Signed, int Frames, bool Ybr422 = false)
    {
        public static Layout Of(gdcm.DataSet ds, string path)
        {
            ushort Us(ushort group, ushort element, ushort fallback)
            {
                var tag = new gdcm.Tag(group, element);
                if (!ds.FindDataElement(tag))
                {
                    return fallback;
                }

                var b = Bytes(ds.GetDataElement(tag));
                return b.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(b) : fallback;
            }

            var framesTag = new gdcm.Tag(0x0028, 0x0008);
            var frames = 1;
            if (ds.FindDataElement(framesTag))
            {
                var text = Encoding.ASCII.GetString(Bytes(ds.GetDataElement(framesTag))).Trim(' ', '\0');
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out frames) || frames < 1)
                {
                    throw new DicomReadException(path, $"Number of Frames '{text}' is not a positive integer");
                }
            }

            var rows = Us(0x0028, 0x0010, 0);
            var columns = Us(0x0028, 0x0011, 0);
            if (rows == 0 || columns == 0)
            {
                throw new DicomReadException(path, "has no image (Rows or Columns missing)");
            }

            var allocated = Us(0x0028, 0x0100, 16);
            var photometricTag = new gdcm.Tag(0x0028, 0x0004);
            var photometric = ds.FindDataElement(photometricTag) ? Encoding.ASCII.GetString(Bytes(ds.GetDataElement(photometricTag))).Trim(' ', '\0') : "";
            return new Layout(rows, columns, Us(0x0028, 0x0002, 1), allocated, Us(0x0028, 0x0101, allocated), Us(0x0028, 0x0103, 0) == 1, frames,
                photometric == "YBR_FULL_422");
        }

        /// <summary>Bytes of one frame as stored natively (YBR_FULL_422 keeps one Cb and one Cr per two pixels).</summary>
        public long NativeFrameBytes => BitsAllocated == 1
            ? ((long)Rows * Columns * Samples + 7) / 8
            : (long)Rows * Columns * (Ybr422 ? 2 : Samples) * ((BitsAllocated + 7) / 8);

        public DicomFrame Decode(byte[] buffer, int frame, bool wordsSwapped, string path)
        {
            if (frame < 0 || frame >= Frames)
            {
                throw new DicomReadException(path, $"has {Frames} frame(s); frame {frame} does not exist");
            }

            var count = Rows * Columns * Samples;
            var values = new long[count];
            if (BitsAllocated == 1)
            {
                // Single-bit data is packed across frame boundaries, least significant bit first.
                var start = (long)frame * count;
                if ((start + count + 7) / 8 > buffer.LongLength)
                {
                    throw Truncated(path, buffer.LongLength, (start + count + 7) / 8);
                }

                for (var i = 0; i < count; i++)
                {
                    var bit = start + i;
                    values[i] = (buffer[bit >> 3] >> (int)(bit & 7)) & 1;
                }

                return Frame(values);
            }

            var bytesPer = BitsAllocated <= 8 ? 1 : BitsAllocated <= 16 ? 2 : 4;
            if (Ybr422 && bytesPer == 1 && Samples == 3)
            {
                // Native 4:2:2: Y0 Y1 Cb Cr for each pixel pair, expanded to full samples as readers present them.
                var pairs = Rows * Columns / 2;
                var start422 = (long)frame * pairs * 4;
                if (start422 + pairs * 4L > buffer.LongLength)
                {
                    throw Truncated(path, buffer.LongLength, start422 + pairs * 4L);
                }

                for (var p = 0; p < pairs; p++)
                {
                    var at = (int)(start422 + p * 4L);
                    values[p * 6] = buffer[at];
                    values[p * 6 + 1] = buffer[at + 2];
                    values[p * 6 + 2] = buffer[at + 3];
                    values[p * 6 + 3] = buffer[at + 1];
                    values[p * 6 + 4] = buffer[at + 2];
                    values[p * 6 + 5] = buffer[at + 3];
                }

                return Frame(values);
            }

            var offset = (long)frame * count * bytesPer;
            if (offset + (long)count * bytesPer > buffer.LongLength)
            {
                throw Truncated(path, buffer.LongLength, offset + (long)count * bytesPer);
            }

            var span = buffer.AsSpan((int)offset, count * bytesPer);
            for (var i = 0; i < count; i++)
            {
                var raw = span.Slice(i * bytesPer, bytesPer);
                long v;
                if (bytesPer == 1)
                {
                    var b = wordsSwapped ? span[(i ^ 1) < span.Length ? i ^ 1 : i] : raw[0];
                    v = Signed ? (sbyte)b : b;
                }
                else if (bytesPer == 2)
                {
                    v = Signed ? BinaryPrimitives.ReadInt16LittleEndian(raw) : BinaryPrimitives.ReadUInt16LittleEndian(raw);
                }
                else
                {
                    uint u = wordsSwapped
                        ? (uint)BinaryPrimitives.ReadUInt16LittleEndian(raw) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(raw[2..])
                        : BinaryPrimitives.ReadUInt32LittleEndian(raw);
                    v = Signed ? (int)u : u;
                }

                if (BitsStored < BitsAllocated)
                {
                    // Only the stored bits count: mask them, and sign-extend signed values from the stored bit depth.
                    var mask = (1L << BitsStored) - 1;
                    v &= mask;
                    if (Signed && (v & (1L << (BitsStored - 1))) != 0)
                    {
                        v -= 1L << BitsStored;
                    }
                }

                values[i] = v;
            }

            return Frame(values);
        }

        private DicomFrame Frame(long[] values) => new(Rows, Columns, Samples, BitsAllocated, BitsStored, Signed, Frames, values);

        public static DicomReadException Truncated(string path, long have, long need) =>
            new(path, $"is truncated: the pixel data has {have} bytes where the image needs {need}");
    }

    /// <summary>Parses the file with GDCM; the caller disposes the reader (and with it everything read from it).</summary>
    private static gdcm.Reader Open(string path)
    {
        CheckFile(path);
        var reader = new gdcm.Reader();
        reader.SetFileName(path);
        if (!reader.Read())
        {
            reader.Dispose();
            throw new DicomReadException(path, "not a readable DICOM file (no DICOM header, truncated, or malformed)");
        }

        return reader;
    }

    private static void CheckFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new DicomReadException(path, "no such file");
        }

        if (new FileInfo(path).Length < 8)
        {
            throw new DicomReadException(path, "is too short to be DICOM");
        }

        // GDCM aborts the process on some lying element lengths and takes Pixel Data longer than the file: checked first.
        if (DicomStructure.Check(path) is { } problem)
        {
            throw new DicomReadException(path, problem);
        }
    }

    /// <summary>Native pixel data shorter than its image needs means the file was cut short (GDCM only warns).</summary>
    private static void CheckPixelLength(string path, gdcm.DataSet ds, gdcm.TransferSyntax ts)
    {
        var pixel = new gdcm.Tag(0x7FE0, 0x0010);
        if (ts.IsEncapsulated() || !ds.FindDataElement(pixel) || !ds.FindDataElement(new gdcm.Tag(0x0028, 0x0010)))
        {
            return;
        }

        var bytes = ds.GetDataElement(pixel).GetByteValue();
        var have = bytes is null ? 0L : (long)(uint)bytes.GetLength();
        // GDCM fills a cut-off value up to its declared length (and only warns), so the file itself is measured too.
        have = Math.Min(have, BytesAfterPixelDataHeader(path, ts.GetString()?.TrimEnd('\0', ' ') == "1.2.840.10008.1.2.2", have) ?? have);
        CheckNativeLength(path, ds, have);
    }

    /// <summary>Native pixel data of <paramref name="have"/> bytes must hold every frame the attributes describe.</summary>
    private static void CheckNativeLength(string path, gdcm.DataSet ds, long have)
    {
        if (!ds.FindDataElement(new gdcm.Tag(0x0028, 0x0010)))
        {
            return;
        }

        var layout = Layout.Of(ds, path);
        var need = layout.BitsAllocated == 1
            ? ((long)layout.Rows * layout.Columns * layout.Samples * layout.Frames + 7) / 8
            : layout.NativeFrameBytes * layout.Frames;
        if (have < need)
        {
            throw new DicomReadException(path, $"is truncated: the pixel data has {have} bytes where the image needs {need}");
        }
    }

    /// <summary>The bytes that follow the last Pixel Data header in the file (tag, VR and 4-byte length), or null if none is found.</summary>
    private static long? BytesAfterPixelDataHeader(string path, bool bigEndian, long declared)
    {
        ReadOnlySpan<byte> tag = bigEndian ? [0x7F, 0xE0, 0x00, 0x10] : [0xE0, 0x7F, 0x10, 0x00];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            // Usually Pixel Data is the last element and the whole declared value follows its header: 6 bytes read where
            // that header must be settle it, instead of reading the whole file (half a megabyte per CT slice).
            Span<byte> head = stackalloc byte[6];
            foreach (var header in (ReadOnlySpan<int>)[12, 8])
            {
                var at = stream.Length - declared - header;
                if (declared <= 0 || at < 0)
                {
                    break;
                }

                stream.Position = at;
                stream.ReadExactly(head);
                var explicitVr = head[4] == (byte)'O' && (head[5] == (byte)'W' || head[5] == (byte)'B');
                if (head[..4].SequenceEqual(tag) && explicitVr == (header == 12))
                {
                    return stream.Length - (at + header);
                }
            }
        }

        var bytes = File.ReadAllBytes(path);
        var found = bytes.AsSpan().LastIndexOf(tag);
        if (found < 0)
        {
            return null;
        }

        var isExplicit = found + 6 <= bytes.Length && bytes[found + 4] == (byte)'O' && (bytes[found + 5] == (byte)'W' || bytes[found + 5] == (byte)'B');
        var size = isExplicit ? 12 : 8;
        return Math.Max(0, bytes.Length - (found + size));
    }

    private static Encoding CharsetOf(gdcm.DataSet ds, gdcm.StringFilter strings)
    {
        var tag = new gdcm.Tag(0x0008, 0x0005);
        if (!ds.FindDataElement(tag))
        {
            return Latin1;
        }

        var value = strings.ToString(tag)?.Trim(' ', '\0') ?? "";
        return value switch
        {
            "ISO_IR 192" => Encoding.UTF8,
            "ISO_IR 100" or "" => Latin1,
            "GB18030" => Encoding.GetEncoding("GB18030"),
            "GBK" => Encoding.GetEncoding("GBK"),
            _ => Latin1,
        };
    }

    private static DicomDataset Convert(gdcm.DataSet source, gdcm.StringFilter strings, Encoding charset, string path, List<IDisposable> keepAlive, bool bigEndian)
    {
        var result = new DicomDataset();
        var cursor = new gdcm.Tag(0, 0);
        var guard = 0;
        while (guard++ < 100_000)
        {
            var de = source.FindNextDataElement(cursor);
            var tag = de.GetTag();
            var group = tag.GetGroup();
            var element = tag.GetElement();
            if ((group == 0 && element == 0 && de.IsEmpty()) || group == 0xFFFF)
            {
                break;
            }

            var dicomTag = new DicomTag(group, element);
            if (group != 0x0002 && !(group == 0x7FE0 && element == 0x0010) && element != 0x0000)
            {
                var converted = ConvertElement(de, dicomTag, strings, charset, path, keepAlive, bigEndian);
                if (converted is not null)
                {
                    result.Add(converted);
                }
            }

            cursor = element == 0xFFFF ? new gdcm.Tag((ushort)(group + 1), 0) : new gdcm.Tag(group, (ushort)(element + 1));
            if (group == 0xFFFF && element == 0xFFFF)
            {
                break;
            }
        }

        return result;
    }

    private static DicomElement? ConvertElement(gdcm.DataElement de, DicomTag tag, gdcm.StringFilter strings, Encoding charset, string path, List<IDisposable> keepAlive,
        bool bigEndian)
    {
        var vr = VrOf(de, tag);
        if (vr == DicomVR.SQ)
        {
            // An empty sequence has no value at all: asking GDCM for it would dereference nothing.
            if (de.IsEmpty() || (!de.IsUndefinedLength() && (uint)de.GetVL() == 0))
            {
                return new DicomSequence(tag, []);
            }

            var sq = de.GetValueAsSQ();
            if (sq is not null)
            {
                keepAlive.Add(sq);
            }

            var items = new List<DicomDataset>();
            if (sq is not null)
            {
                var n = sq.GetNumberOfItems();
                for (uint i = 1; i <= n; i++)
                {
                    items.Add(Convert(sq.GetItem(i).GetNestedDataSet(), strings, charset, path, keepAlive, bigEndian));
                }
            }

            return new DicomSequence(tag, items);
        }

        var bytes = Bytes(de);
        return vr switch
        {
            DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.FL or DicomVR.FD or DicomVR.OB or DicomVR.OW or DicomVR.UN or DicomVR.AT
                => new DicomBinary(tag, vr, Normalise(vr, bytes, de, strings, bigEndian)),
            _ => new DicomText(tag, vr, (vr is DicomVR.UI or DicomVR.DA or DicomVR.TM or DicomVR.DT or DicomVR.DS or DicomVR.IS or DicomVR.CS or DicomVR.AS or DicomVR.AE
                    ? Encoding.ASCII : charset).GetString(bytes).TrimEnd('\0', ' ')),
        };
    }

    /// <summary>
    /// Binary numbers as little-endian bytes: GDCM hands over the file's bytes, so big-endian files go through its string
    /// conversion, which knows the byte order, and are packed again.
    /// </summary>
    private static byte[] Normalise(DicomVR vr, byte[] bytes, gdcm.DataElement de, gdcm.StringFilter strings, bool bigEndian)
    {
        // Little-endian integers are already what the text round trip would give (floats are left to it: unchanged behaviour).
        if (vr is DicomVR.OB or DicomVR.OW or DicomVR.UN || bytes.Length == 0 || (!bigEndian && vr is DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.AT))
        {
            return bytes;
        }

        if (vr == DicomVR.AT)
        {
            // Group and element are two 16-bit words each: swapped word by word.
            var swapped = (byte[])bytes.Clone();
            for (var i = 0; i + 1 < swapped.Length; i += 2)
            {
                (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
            }

            return swapped;
        }

        var text = strings.ToString(de)?.Trim() ?? "";
        var parts = text.Split('\\', StringSplitOptions.RemoveEmptyEntries);
        var size = vr switch { DicomVR.US or DicomVR.SS => 2, DicomVR.UL or DicomVR.FL => 4, _ => 8 };
        if (parts.Length * size != bytes.Length)
        {
            return bytes;
        }

        var result = new byte[bytes.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var slot = result.AsSpan(i * size);
            var p = parts[i].Trim();
            switch (vr)
            {
                case DicomVR.US when ushort.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var us):
                    BinaryPrimitives.WriteUInt16LittleEndian(slot, us);
                    break;
                case DicomVR.SS when short.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ss):
                    BinaryPrimitives.WriteInt16LittleEndian(slot, ss);
                    break;
                case DicomVR.UL when uint.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ul):
                    BinaryPrimitives.WriteUInt32LittleEndian(slot, ul);
                    break;
                case DicomVR.FL when float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var fl):
                    BinaryPrimitives.WriteSingleLittleEndian(slot, fl);
                    break;
                case DicomVR.FD when double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var fd):
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, fd);
                    break;
                default:
                    return bytes;
            }
        }

        return result;
    }

    private static byte[] Bytes(gdcm.DataElement de)
    {
        var value = de.GetByteValue();
        if (value is null)
        {
            return [];
        }

        uint length = value.GetLength();
        var buffer = new byte[length];
        if (length > 0)
        {
            value.GetBuffer(buffer, length);
        }

        return buffer;
    }

    /// <summary>
    /// The VR's name, from GDCM's static table by VR type (the same text as VR.toString(), checked for every type). Not
    /// toString(): GDCM's binding writes that into one static buffer shared by all threads, so parallel reads got each
    /// other's VRs (a file's Rows read as missing).
    /// </summary>
    private static string VrText(gdcm.VR vr)
    {
        gdcm.VR.VRType type = vr;
        vr.Dispose();
        return VrNames.GetOrAdd(type, static t => gdcm.VR.GetVRString(t)?.Trim() ?? "");
    }

    private static DicomVR VrOf(gdcm.DataElement de, DicomTag tag)
    {
        var text = VrText(de.GetVR());
        if (Enum.TryParse<DicomVR>(text, out var vr) && !(vr == DicomVR.UN && tag.Group % 2 == 0))
        {
            return vr;
        }

        // Implicit VR, or a public attribute written as UN by a toolkit that did not know it: the dictionary decides (as
        // pydicom does), except for sequences, whose UN bytes are kept as they are.
        if (vr == DicomVR.UN)
        {
            var known = VrText(gdcm.Global.GetInstance().GetDicts().GetDictEntry(new gdcm.Tag(tag.Group, tag.Element)).GetVR());
            return Enum.TryParse<DicomVR>(known, out var dictionaryVr) && dictionaryVr is not (DicomVR.SQ or DicomVR.UN) ? dictionaryVr : DicomVR.UN;
        }

        // Implicit VR: the public dictionary knows (ambiguous US or SS: unsigned).
        var entry = gdcm.Global.GetInstance().GetDicts().GetDictEntry(new gdcm.Tag(tag.Group, tag.Element));
        var name = VrText(entry.GetVR());
        if (name.StartsWith("US", StringComparison.Ordinal))
        {
            return DicomVR.US;
        }

        if (name.StartsWith("OB", StringComparison.Ordinal))
        {
            return DicomVR.OB;
        }

        return Enum.TryParse(name, out vr) ? vr : DicomVR.UN;
    }
}
