using System.Security.Cryptography;
using Derby.Imaging.Pairs;
using Derby.Imaging.Segmentation;

namespace Derby.Imaging.Tests.Pairs;

/// <summary>The stored pair format: round trip, stable bytes, and refusal of damaged files.</summary>
public sealed class PairSetFileTests
{
    [Fact]
    public void Read_GivesBackWhatWriteWrote()
    {
        var set = Sample();

        var back = PairSetFile.Read(new MemoryStream(Bytes(set)));

        Assert.Equal(set.Settings, back.Settings);
        Assert.True(set.Pet.SameAs(back.Pet));
        Assert.True(set.Ct.SameAs(back.Ct));
        Assert.Null(back.Ct.FrameOfReferenceUid);
        Assert.Equal(set.MaskBox, back.MaskBox);
        Assert.Equal(set.Pairs.Count, back.Pairs.Count);
        for (var p = 0; p < set.Pairs.Count; p++)
        {
            var (a, b) = (set.Pairs[p], back.Pairs[p]);
            Assert.Equal(a.PetSlice, b.PetSlice);
            Assert.Equal(a.CtSlices, b.CtSlices);
            Assert.Equal(a.RoiArea, b.RoiArea);
            Assert.Equal((a.CropX0, a.CropY0, a.CropSize), (b.CropX0, b.CropY0, b.CropSize));
            Assert.Equal(a.Pet.Select(BitConverter.SingleToInt32Bits), b.Pet.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(a.Ct.Select(BitConverter.SingleToInt32Bits), b.Ct.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Write_GivesTheSameBytes_ForTheSameInput()
    {
        var first = Bytes(Sample());
        var second = Bytes(Sample());

        Assert.Equal(first, second);
        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
        Assert.Equal("DRBYPAIR"u8.ToArray(), first[..8]);
        Assert.Equal([1, 0, 0, 0], first[8..12]);
        // The settings travel with the pairs, as UTF-8 JSON after the header length.
        var header = System.Text.Encoding.UTF8.GetString(first, 16, BitConverter.ToInt32(first, 12));
        Assert.Contains("\"settings\":{\"cropSize\":8,\"ctSlicesPerPair\":3,\"ctInterpolation\":\"bilinear-in-plane\",\"suvMin\":0,\"suvMax\":20,\"huMin\":-200,\"huMax\":300}", header, StringComparison.Ordinal);
        // Settings are part of the content: another window, another hash.
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(Bytes(Sample() with { Settings = new PairSettings { CropSize = 8, HuMax = 301 } })));
    }

    [Fact]
    public void Read_Refuses_ATruncatedFile_AtEveryLength()
    {
        var bytes = Bytes(Sample());

        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<InvalidDataException>(() => PairSetFile.Read(new MemoryStream(bytes, 0, length)));
            Assert.True(error.Message.Contains("truncated", StringComparison.Ordinal), $"{length}: {error.Message}");
        }
    }

    [Fact]
    public void Read_Refuses_ACorruptFile()
    {
        var bytes = Bytes(Sample());
        bytes[^100] ^= 0x10;

        var error = Assert.Throws<InvalidDataException>(() => PairSetFile.Read(new MemoryStream(bytes)));

        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Refuses_AnotherFormatOrVersion()
    {
        var bytes = Bytes(Sample());
        var other = (byte[])bytes.Clone();
        other[0] = (byte)'X';
        var newer = (byte[])bytes.Clone();
        newer[8] = 2;

        Assert.Contains("Not a Derby pair file", Assert.Throws<InvalidDataException>(() => PairSetFile.Read(new MemoryStream(other))).Message, StringComparison.Ordinal);
        Assert.Contains("version 2 is not supported", Assert.Throws<InvalidDataException>(() => PairSetFile.Read(new MemoryStream(newer))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Refuses_AMalformedHeader()
    {
        var bytes = Bytes(Sample());
        // The header's first byte ('{') made invalid JSON: found before the digest is checked.
        bytes[16] = (byte)'!';

        var error = Assert.Throws<InvalidDataException>(() => PairSetFile.Read(new MemoryStream(bytes)));

        Assert.Contains("header is malformed", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(PairSet set)
    {
        using var stream = new MemoryStream();
        PairSetFile.Write(stream, set);
        return stream.ToArray();
    }

    /// <summary>Three pairs of an 8-pixel crop built from hand-made volumes (CT without a Frame of Reference).</summary>
    private static PairSet Sample()
    {
        var pet = Grids.Axial3(20, 20, 10, 4.0, 4.0, [-38.2, -40.1, 12.5]);
        var ct = Grids.Axial3(40, 40, 20, 2.0, 2.0, [-39.2, -41.1, 11.5], frame: null);
        var suv = Grids.Volume(pet, (c, r, k) => Math.Sin(c * 0.3 + r * 0.2 + k) * 6 + 5);
        var hu = Grids.Volume(ct, (c, r, k) => Math.Cos(c * 0.1 - r * 0.3 + k) * 400);
        var mask = Grids.Mask(new VoxelBox(1, 2, 4, 5, 6, 6), (x, y, z) => (x + y + z) % 3 != 0);
        return PairBuilder.Build(suv, pet, hu, ct, mask, new PairSettings { CropSize = 8 });
    }
}
