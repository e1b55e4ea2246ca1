using System.Text;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Gdcm;

/// <summary>Writes <see cref="DicomDataset"/>s with GDCM as explicit VR little endian Part 10 files (meta header from the data set).</summary>
public sealed class GdcmDicomFileWriter : IDicomFileWriter, IDicomFileRewriter
{
    public GdcmDicomFileWriter() => GdcmNative.EnsureLoaded();

    public void Write(DicomDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        using var writer = new gdcm.Writer();
        using var file = writer.GetFile();
        using var target = file.GetDataSet();
        foreach (var element in dataset.Elements)
        {
            Insert(target, element);
        }

        using var header = file.GetHeader();
        using var syntax = new gdcm.TransferSyntax(gdcm.TransferSyntax.TSType.ExplicitVRLittleEndian);
        header.SetDataSetTransferSyntax(syntax);
        Save(writer, path);
    }

    public void WriteWithPixelsOf(DicomDataset dataset, string pixelSource, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        using var source = new gdcm.Reader();
        source.SetFileName(pixelSource);
        if (!source.Read())
        {
            throw new DicomReadException(pixelSource, "not a readable DICOM file (no DICOM header, truncated, or malformed)");
        }

        using var sourceFile = source.GetFile();
        using var sourceHeader = sourceFile.GetHeader();
        using var ts = sourceHeader.GetDataSetTransferSyntax();
        var tsUid = ts.GetString()?.TrimEnd('\0', ' ');
        // The rewritten attributes are little-endian values: a big-endian source's pixels would need the same care.
        if (tsUid == DicomUid.ExplicitVRBigEndian)
        {
            throw new DicomReadException(pixelSource, "is big endian: it cannot be rewritten de-identified; send it de-identified");
        }

        using var writer = new gdcm.Writer();
        using var file = writer.GetFile();
        using var target = file.GetDataSet();
        foreach (var element in dataset.Elements.Where(e => e.Tag != DicomTags.PixelData))
        {
            Insert(target, element);
        }

        using var pixelTag = new gdcm.Tag(0x7FE0, 0x0010);
        using var sourceSet = sourceFile.GetDataSet();
        if (sourceSet.FindDataElement(pixelTag))
        {
            using var sourcePixels = sourceSet.GetDataElement(pixelTag);
            using var pixels = new gdcm.DataElement(sourcePixels);
            if (!ts.IsEncapsulated())
            {
                // Native pixels from an implicit-VR file need the VR the explicit file will state.
                var bits = dataset.GetUnsignedShort(DicomTags.BitsAllocated) ?? 16;
                using var vr = new gdcm.VR(bits > 8 ? gdcm.VR.VRType.OW : gdcm.VR.VRType.OB);
                pixels.SetVR(vr);
            }

            target.Insert(pixels);
        }

        using var header = file.GetHeader();
        using var explicitLittle = new gdcm.TransferSyntax(gdcm.TransferSyntax.TSType.ExplicitVRLittleEndian);
        header.SetDataSetTransferSyntax(ts.IsEncapsulated() ? ts : explicitLittle);
        Save(writer, path);
    }

    private static void Save(gdcm.Writer writer, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Written to a temporary name and renamed, so a reader never sees half a file.
        var temp = path + ".part";
        writer.SetFileName(temp);
        if (!writer.Write())
        {
            File.Delete(temp);
            throw new IOException($"GDCM could not write {path}");
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Adds the element to a GDCM data set. Every wrapper the binding hands out is disposed here, on this thread: GDCM
    /// shares values, sequences and items through reference counts that are not atomic, and a wrapper left to the
    /// finalizer would change them on the finalizer thread while another thread writes (ParallelWritingTests).
    /// </summary>
    private static void Insert(gdcm.DataSet target, DicomElement element)
    {
        using var tag = new gdcm.Tag(element.Tag.Group, element.Tag.Element);
        using var de = new gdcm.DataElement(tag);
        using (var vr = new gdcm.VR(VrType(element.VR)))
        {
            de.SetVR(vr);
        }

        switch (element)
        {
            case DicomText text:
                var bytes = Encoding.UTF8.GetBytes(text.Value);
                if (bytes.Length % 2 == 1)
                {
                    // DICOM values have even length: UIDs pad with NUL, text with a space.
                    Array.Resize(ref bytes, bytes.Length + 1);
                    bytes[^1] = element.VR == DicomVR.UI ? (byte)0 : (byte)' ';
                }

                SetBytes(de, bytes);
                break;
            case DicomBinary binary:
                SetBytes(de, binary.Value.Length % 2 == 0 ? binary.Value : [.. binary.Value, 0]);
                break;
            case DicomSequence sequence:
                using (var items = gdcm.SequenceOfItems.New())
                {
                    foreach (var itemSet in sequence.Items)
                    {
                        using var item = new gdcm.Item();
                        item.SetVLToUndefined();
                        using (var nested = item.GetNestedDataSet())
                        {
                            foreach (var child in itemSet.Elements)
                            {
                                Insert(nested, child);
                            }
                        }

                        items.AddItem(item);
                    }

                    using var value = items.__ref__();
                    de.SetValue(value);
                }

                de.SetVLToUndefined();
                break;
        }

        target.Insert(de);
    }

    private static void SetBytes(gdcm.DataElement de, byte[] bytes)
    {
        using var length = new gdcm.VL((uint)bytes.Length);
        de.SetByteValue(bytes, length);
    }

    private static gdcm.VR.VRType VrType(DicomVR vr) => vr switch
    {
        DicomVR.AE => gdcm.VR.VRType.AE,
        DicomVR.AT => gdcm.VR.VRType.AT,
        DicomVR.AS => gdcm.VR.VRType.AS,
        DicomVR.CS => gdcm.VR.VRType.CS,
        DicomVR.DA => gdcm.VR.VRType.DA,
        DicomVR.DS => gdcm.VR.VRType.DS,
        DicomVR.DT => gdcm.VR.VRType.DT,
        DicomVR.FD => gdcm.VR.VRType.FD,
        DicomVR.FL => gdcm.VR.VRType.FL,
        DicomVR.IS => gdcm.VR.VRType.IS,
        DicomVR.LO => gdcm.VR.VRType.LO,
        DicomVR.LT => gdcm.VR.VRType.LT,
        DicomVR.OB => gdcm.VR.VRType.OB,
        DicomVR.OW => gdcm.VR.VRType.OW,
        DicomVR.PN => gdcm.VR.VRType.PN,
        DicomVR.SH => gdcm.VR.VRType.SH,
        DicomVR.SQ => gdcm.VR.VRType.SQ,
        DicomVR.SS => gdcm.VR.VRType.SS,
        DicomVR.ST => gdcm.VR.VRType.ST,
        DicomVR.TM => gdcm.VR.VRType.TM,
        DicomVR.UI => gdcm.VR.VRType.UI,
        DicomVR.UL => gdcm.VR.VRType.UL,
        DicomVR.UN => gdcm.VR.VRType.UN,
        DicomVR.US => gdcm.VR.VRType.US,
        DicomVR.UT => gdcm.VR.VRType.UT,
        _ => throw new ArgumentOutOfRangeException(nameof(vr), vr, null),
    };
}
