using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Imaging.Segmentation;

namespace Derby.Imaging.Pairs;

/// <summary>
/// The stored form of a <see cref="PairSet"/>, read by training and scoring without redoing any imaging. Version 1,
/// all numbers little-endian:
/// <code>
/// "DRBYPAIR"                 8 bytes, ASCII
/// version                    uint32 (1)
/// header length              uint32, then that many bytes of UTF-8 JSON: format, settings, PET and CT grids, mask box, pair count
/// per pair                   int32 PET slice, int32 × 3 CT slices, int32 ROI area, int32 crop x0, int32 crop y0,
///                            float32 × CropSize² PET, float32 × 3 · CropSize² CT (channel-major)
/// SHA-256                    32 bytes over everything before it
/// </code>
/// The same pair set always gives the same bytes (fixed property order, shortest round-trip numbers), so the file's hash
/// is a content hash; the trailing digest catches corruption anywhere in the file.
/// </summary>
public static class PairSetFile
{
    /// <summary>The format version written and read.</summary>
    public const uint Version = 1;

    private const string FormatName = "derby-pet-ct-pairs";
    private const int MaxHeaderBytes = 1 << 20;
    private const int PairIntegers = 3 + PairSettings.CtSlicesPerPair + 1;
    private static readonly byte[] Magic = "DRBYPAIR"u8.ToArray();

    /// <summary>Writes <paramref name="set"/> to <paramref name="stream"/> (from its current position).</summary>
    public static void Write(Stream stream, PairSet set)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(set);
        var n = set.Settings.CropSize;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            stream.Write(bytes);
        }

        var header = Header(set);
        Span<byte> prefix = stackalloc byte[16];
        Magic.CopyTo(prefix);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[12..], (uint)header.Length);
        Put(prefix);
        Put(header);

        var buffer = new byte[PairBytes(n)];
        foreach (var pair in set.Pairs)
        {
            if (pair.CropSize != n)
            {
                throw new ArgumentException($"Pair of PET slice {pair.PetSlice} has crop {pair.CropSize}, the set's settings say {n}", nameof(set));
            }

            var span = buffer.AsSpan();
            BinaryPrimitives.WriteInt32LittleEndian(span, pair.PetSlice);
            for (var c = 0; c < PairSettings.CtSlicesPerPair; c++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[(4 + 4 * c)..], pair.CtSlices[c]);
            }

            var at = 4 + 4 * PairSettings.CtSlicesPerPair;
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], pair.RoiArea);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4)..], pair.CropX0);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], pair.CropY0);
            at += 12;
            if (BitConverter.IsLittleEndian)
            {
                // The arrays' own bytes are the file's: no copy.
                Put(span[..at]);
                Put(MemoryMarshal.AsBytes(pair.Pet.AsSpan()));
                Put(MemoryMarshal.AsBytes(pair.Ct.AsSpan()));
                continue;
            }

            at = PutFloats(span, at, pair.Pet);
            PutFloats(span, at, pair.Ct);
            Put(buffer);
        }

        Put(hash.GetHashAndReset());
    }

    /// <summary>Reads a pair set written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">Not a pair file, another version, a truncated file, a malformed header, or a digest that does not match (corruption).</exception>
    public static PairSet Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Take(Span<byte> bytes, string what)
        {
            try
            {
                stream.ReadExactly(bytes);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"The pair file is truncated: it ends inside {what}", e);
            }

            hash.AppendData(bytes);
        }

        Span<byte> prefix = stackalloc byte[16];
        Take(prefix[..8], "the magic number");
        if (!prefix[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a Derby pair file: it does not start with \"DRBYPAIR\"");
        }

        Take(prefix[8..], "the version and header length");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (version != Version)
        {
            throw new InvalidDataException($"Pair file version {version} is not supported (this reader reads version {Version})");
        }

        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[12..]);
        if (headerLength is 0 or > MaxHeaderBytes)
        {
            throw new InvalidDataException($"The pair file's header length {headerLength} is not between 1 and {MaxHeaderBytes} bytes");
        }

        var header = new byte[headerLength];
        Take(header, "the header");
        var (settings, pet, ct, box, count) = ParseHeader(header);

        var n = settings.CropSize;
        var buffer = new byte[PairBytes(n)];
        var pairs = new List<PetCtPair>(Math.Min(count, 4096));
        var integers = 4 * PairIntegers;
        for (var k = 0; k < count; k++)
        {
            var what = $"pair {k + 1} of {count}";
            var petValues = new float[n * n];
            var ctValues = new float[PairSettings.CtSlicesPerPair * n * n];
            if (BitConverter.IsLittleEndian)
            {
                Take(buffer.AsSpan(0, integers), what);
                Take(MemoryMarshal.AsBytes(petValues.AsSpan()), what);
                Take(MemoryMarshal.AsBytes(ctValues.AsSpan()), what);
            }
            else
            {
                Take(buffer, what);
                GetFloats(buffer, GetFloats(buffer, integers, petValues), ctValues);
            }

            ReadOnlySpan<byte> span = buffer;
            var petSlice = BinaryPrimitives.ReadInt32LittleEndian(span);
            var ctSlices = new int[PairSettings.CtSlicesPerPair];
            for (var c = 0; c < ctSlices.Length; c++)
            {
                ctSlices[c] = BinaryPrimitives.ReadInt32LittleEndian(span[(4 + 4 * c)..]);
            }

            var at = 4 + 4 * PairSettings.CtSlicesPerPair;
            var roi = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            var x0 = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 4)..]);
            var y0 = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 8)..]);
            pairs.Add(new PetCtPair(petSlice, ctSlices, roi, x0, y0, n, petValues, ctValues));
        }

        var expected = hash.GetHashAndReset();
        Span<byte> digest = stackalloc byte[32];
        try
        {
            stream.ReadExactly(digest);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The pair file is truncated: it ends before its SHA-256 digest", e);
        }

        if (!digest.SequenceEqual(expected))
        {
            throw new InvalidDataException("The pair file is corrupt: its SHA-256 digest does not match its content");
        }

        return new PairSet(settings, pet, ct, box, pairs);
    }

    private static int PairBytes(int n) => 4 * (PairIntegers + (1 + PairSettings.CtSlicesPerPair) * n * n);

    private static int PutFloats(Span<byte> span, int at, float[] values)
    {
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], v);
            at += 4;
        }

        return at;
    }

    private static int GetFloats(ReadOnlySpan<byte> span, int at, float[] values)
    {
        for (var i = 0; i < values.Length; i++, at += 4)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[at..]);
        }

        return at;
    }

    private static byte[] Header(PairSet set)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteStartObject("settings");
            w.WriteNumber("cropSize", set.Settings.CropSize);
            w.WriteNumber("ctSlicesPerPair", PairSettings.CtSlicesPerPair);
            w.WriteString("ctInterpolation", PairSettings.CtInterpolation);
            w.WriteNumber("suvMin", set.Settings.SuvMin);
            w.WriteNumber("suvMax", set.Settings.SuvMax);
            w.WriteNumber("huMin", set.Settings.HuMin);
            w.WriteNumber("huMax", set.Settings.HuMax);
            w.WriteEndObject();
            WriteGrid(w, "pet", set.Pet);
            WriteGrid(w, "ct", set.Ct);
            var b = set.MaskBox;
            WriteArray(w, "maskBox", [b.X0, b.Y0, b.Z0, b.X1, b.Y1, b.Z1]);
            w.WriteNumber("pairs", set.Pairs.Count);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteGrid(Utf8JsonWriter w, string name, PairGridSummary g)
    {
        w.WriteStartObject(name);
        w.WriteNumber("rows", g.Rows);
        w.WriteNumber("columns", g.Columns);
        w.WriteNumber("slices", g.Slices);
        WriteArray(w, "pixelSpacing", g.PixelSpacing);
        w.WriteNumber("sliceSpacing", g.SliceSpacing);
        WriteArray(w, "orientation", g.Orientation);
        WriteArray(w, "firstPosition", g.FirstPosition);
        if (g.FrameOfReferenceUid is { } uid)
        {
            w.WriteString("frameOfReferenceUid", uid);
        }
        else
        {
            w.WriteNull("frameOfReferenceUid");
        }

        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static (PairSettings Settings, PairGridSummary Pet, PairGridSummary Ct, VoxelBox Box, int Count) ParseHeader(byte[] header)
    {
        try
        {
            using var document = JsonDocument.Parse(header);
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != FormatName)
            {
                throw new InvalidDataException($"The pair file's header names another format than {FormatName}");
            }

            var s = root.GetProperty("settings");
            if (s.GetProperty("ctSlicesPerPair").GetInt32() != PairSettings.CtSlicesPerPair
                || s.GetProperty("ctInterpolation").GetString() != PairSettings.CtInterpolation)
            {
                throw new InvalidDataException(
                    $"The pair file was made with {s.GetProperty("ctSlicesPerPair")} CT slices per pair and {s.GetProperty("ctInterpolation")} resampling; this reader knows {PairSettings.CtSlicesPerPair} and {PairSettings.CtInterpolation}");
            }

            var settings = new PairSettings
            {
                CropSize = s.GetProperty("cropSize").GetInt32(),
                SuvMin = s.GetProperty("suvMin").GetDouble(),
                SuvMax = s.GetProperty("suvMax").GetDouble(),
                HuMin = s.GetProperty("huMin").GetDouble(),
                HuMax = s.GetProperty("huMax").GetDouble(),
            };
            settings.Validate();
            var box = root.GetProperty("maskBox").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            if (box.Length != 6)
            {
                throw new InvalidDataException("The pair file's mask box does not have six corners' coordinates");
            }

            var count = root.GetProperty("pairs").GetInt32();
            if (count < 0)
            {
                throw new InvalidDataException($"The pair file's header says {count} pairs");
            }

            return (settings, ReadGrid(root.GetProperty("pet")), ReadGrid(root.GetProperty("ct")),
                new VoxelBox(box[0], box[1], box[2], box[3], box[4], box[5]), count);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"The pair file's header is malformed: {e.Message}", e);
        }
    }

    private static PairGridSummary ReadGrid(JsonElement g) => new(
        g.GetProperty("rows").GetInt32(),
        g.GetProperty("columns").GetInt32(),
        g.GetProperty("slices").GetInt32(),
        Doubles(g.GetProperty("pixelSpacing")),
        g.GetProperty("sliceSpacing").GetDouble(),
        Doubles(g.GetProperty("orientation")),
        Doubles(g.GetProperty("firstPosition")),
        g.GetProperty("frameOfReferenceUid").GetString());

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];
}
