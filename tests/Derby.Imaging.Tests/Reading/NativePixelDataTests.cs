using System.Buffers.Binary;
using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;

namespace Derby.Imaging.Tests.Reading;

/// <summary>
/// Where <see cref="GdcmDicomFileReader.Read"/> says the native pixel bytes lie (it parses such files only up to Pixel
/// Data): checked against the values GDCM decodes from a whole parse, on the pydicom corpus and on files made for the test.
/// </summary>
public sealed class NativePixelDataTests(PydicomCorpus corpus) : IClassFixture<PydicomCorpus>
{
    private readonly GdcmDicomFileReader reader = new();

    [Fact]
    public void LocatedPixelBytes_AreTheStoredValuesOfAWholeParse()
    {
        var located = 0;
        foreach (var name in corpus.Ours.Where(kv => kv.Value.Info is not null && kv.Value.FrameError is null).Select(kv => kv.Key))
        {
            var path = PydicomCorpus.PathOf(name);
            var file = reader.Read(path);
            if (file.NativePixelData is not { } pixels)
            {
                continue;
            }

            // Native little endian only, and the element ends the file.
            Assert.Contains(file.TransferSyntaxUid, (string[])["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]);
            Assert.Equal(new FileInfo(path).Length, pixels.FileLength);
            Assert.Equal(pixels.FileLength, pixels.Offset + pixels.Length);
            DicomFrame frame;
            try
            {
                frame = reader.ReadFrame(path);
            }
            catch (DicomReadException)
            {
                continue; // pixel data without an image (no Rows/Columns): nothing to compare
            }

            if (frame.BitsAllocated != 16)
            {
                continue;
            }

            var bytes = File.ReadAllBytes(path).AsSpan((int)pixels.Offset, frame.Values.Length * 2);
            for (var i = 0; i < frame.Values.Length; i++)
            {
                var word = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                var shift = 32 - frame.BitsStored;
                long expected = frame.Signed ? (int)(short)word << shift >> shift : word & ((1 << frame.BitsStored) - 1);
                Assert.True(expected == frame.Values[i], $"{name}: pixel {i} is {expected} at the located offset, {frame.Values[i]} decoded");
            }

            located++;
        }

        // Most of the corpus ends with Data Set Trailing Padding after the pixel data (then the file is parsed whole).
        Assert.True(located >= 1, "no corpus file of 16 bits had its pixel data located");
    }

    [Fact]
    public void OnlyNativeLittleEndianPixelDataEndingTheFile_IsLocated()
    {
        // CT_small.dcm is native but has Data Set Trailing Padding (FFFC,FFFC) after its pixel data: parsed whole, not located.
        foreach (var name in (string[])["MR_small_implicit.dcm", "CT_small.dcm", "MR_small_bigendian.dcm", "JPEG2000.dcm", "MR_small_RLE.dcm", "SC_rgb_jpeg_dcmtk.dcm"])
        {
            var file = reader.Read(PydicomCorpus.PathOf(name));
            var expected = name == "MR_small_implicit.dcm";
            Assert.True(expected == file.NativePixelData is not null, $"{name} ({file.TransferSyntaxUid}): located {file.NativePixelData}");
        }
    }

    [Fact]
    public void LocatedPixelBytes_AreTheBytesWritten()
    {
        var directory = Path.Combine(Path.GetTempPath(), "derby-located-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "slice.dcm");
            var pixels = new byte[64 * 48 * 2];
            new Random(7).NextBytes(pixels);
            new GdcmDicomFileWriter().Write(Image(pixels, 64, 48), path);

            var file = reader.Read(path);

            Assert.Equal(DicomUid.ExplicitVRLittleEndian, file.TransferSyntaxUid);
            var located = Assert.IsType<NativePixelData>(file.NativePixelData);
            Assert.Equal(pixels.Length, located.Length);
            Assert.Equal(new FileInfo(path).Length, located.Offset + located.Length);
            Assert.Equal(pixels, File.ReadAllBytes(path).AsSpan((int)located.Offset, (int)located.Length).ToArray());
            Assert.Equal((ushort)48, file.Dataset.GetUnsignedShort(DicomTags.Rows));
            Assert.Null(file.Dataset[DicomTags.PixelData]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static DicomDataset Image(byte[] pixels, int columns, int rows) => new DicomDataset()
        .Text(DicomTags.SopClassUid, DicomVR.UI, DicomUid.CtImageStorage)
        .Text(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.826.0.1.3680043.10.543.78.1")
        .Text(DicomTags.Modality, DicomVR.CS, "CT")
        .Text(DicomTags.PatientId, DicomVR.LO, "ZSH-001")
        .UnsignedShort(DicomTags.SamplesPerPixel, 1)
        .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
        .UnsignedShort(DicomTags.Rows, (ushort)rows)
        .UnsignedShort(DicomTags.Columns, (ushort)columns)
        .UnsignedShort(DicomTags.BitsAllocated, 16)
        .UnsignedShort(DicomTags.BitsStored, 16)
        .UnsignedShort(DicomTags.HighBit, 15)
        .UnsignedShort(DicomTags.PixelRepresentation, 0)
        .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, pixels));

    [Fact]
    public void ElementsAfterPixelData_AreRead_AndSeenByTheGate()
    {
        // A private element after Pixel Data (group 7FE1) holding a name: the reader must not stop at Pixel Data for such a
        // file, or the de-identification gate would never see it.
        var directory = Path.Combine(Path.GetTempPath(), "derby-after-pixels-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "after.dcm");
            var creator = new DicomTag(0x7FE1, 0x0010);
            var hidden = new DicomTag(0x7FE1, 0x1001);
            new GdcmDicomFileWriter().Write(new DicomDataset()
                .Text(DicomTags.SopClassUid, DicomVR.UI, DicomUid.CtImageStorage)
                .Text(DicomTags.SopInstanceUid, DicomVR.UI, "1.2.826.0.1.3680043.10.543.77.1")
                .Text(DicomTags.Modality, DicomVR.CS, "CT")
                .Text(DicomTags.PatientId, DicomVR.LO, "ZSH-001")
                .UnsignedShort(DicomTags.SamplesPerPixel, 1)
                .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
                .UnsignedShort(DicomTags.Rows, 4)
                .UnsignedShort(DicomTags.Columns, 4)
                .UnsignedShort(DicomTags.BitsAllocated, 16)
                .UnsignedShort(DicomTags.BitsStored, 16)
                .UnsignedShort(DicomTags.HighBit, 15)
                .UnsignedShort(DicomTags.PixelRepresentation, 0)
                .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, new byte[32]))
                .Text(creator, DicomVR.LO, "DERBY TEST")
                .Text(hidden, DicomVR.LO, "Jane Doe"), path);

            var file = reader.Read(path);

            Assert.Null(file.NativePixelData);
            Assert.Equal("Jane Doe", file.Dataset.GetString(hidden));
            var gate = DeidentificationGate.Apply(file.Dataset, "ZSH-001", DeidentificationMode.Reject);
            Assert.False(gate.Accepted);
            Assert.Contains(gate.Findings, f => f.Tag == hidden || f.Tag == creator);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
