using System.Buffers.Binary;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;

namespace Derby.Imaging.Tests.Reading;

/// <summary>
/// Regression (bad-input corpus, issue #10): a file whose element lengths lie made GDCM assert in
/// FileMetaInformation::ReadCompat and abort the whole web process, or was read (and stored) with a Pixel Data length
/// past the end of the file. The reader walks the headers first and refuses such files with the element that lies.
/// </summary>
public sealed class LyingLengthTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("derby-lying-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>pydicom's CT_small.dcm (explicit VR little endian) with the length of the first <paramref name="header"/> replaced.</summary>
    private string Patched(byte[] header, Action<Span<byte>> patch)
    {
        var bytes = File.ReadAllBytes(PydicomCorpus.PathOf("CT_small.dcm"));
        var at = bytes.AsSpan().IndexOf(header);
        Assert.True(at > 132, "the element is in the file");
        patch(bytes.AsSpan(at));
        var path = Path.Combine(folder, "patched.dcm");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void LyingShortLength_IsRefused_InsteadOfAbortingTheProcess()
    {
        var path = Patched([0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N'], e => BinaryPrimitives.WriteUInt16LittleEndian(e[6..], 0xFFF0));

        var ex = Assert.Throws<DicomReadException>(() => new GdcmDicomFileReader().Read(path));

        Assert.Contains("element (0010,0010) declares 65520 bytes", ex.Reason);
    }

    [Fact]
    public void PixelDataLongerThanTheFile_IsRefused()
    {
        var path = Patched([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W'], e => BinaryPrimitives.WriteUInt32LittleEndian(e[8..], 0x7FFFFFF0));

        var ex = Assert.Throws<DicomReadException>(() => new GdcmDicomFileReader().Read(path));

        Assert.Contains("element (7FE0,0010) declares 2147483632 bytes", ex.Reason);
    }

    [Fact]
    public void UnpatchedFile_PassesTheWalk()
    {
        Assert.Null(DicomStructure.Check(PydicomCorpus.PathOf("CT_small.dcm")));
    }
}
