using System.Globalization;
using Derby.Imaging.Dicom;
using Derby.Imaging.Series;

namespace Derby.Imaging.Segmentation;

/// <summary>
/// A lesion mask as a DICOM Segmentation object (PS3.3 A.51, binary, one segment): one frame per PET slice that holds
/// lesion voxels, on the PET grid (same rows, columns, orientation and positions), each frame referencing its source PET
/// instance. Readable by any SEG-aware viewer (OHIF, 3D Slicer, pydicom/highdicom).
/// </summary>
public static class DicomSegBuilder
{
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

    private static readonly DicomTag ContentLabel = new(0x0070, 0x0080);
    private static readonly DicomTag ContentDescription = new(0x0070, 0x0081);
    private static readonly DicomTag ContentCreatorName = new(0x0070, 0x0084);
    private static readonly DicomTag SegmentationType = new(0x0062, 0x0001);
    private static readonly DicomTag SegmentSequence = new(0x0062, 0x0002);
    private static readonly DicomTag SegmentedPropertyCategoryCodeSequence = new(0x0062, 0x0003);
    private static readonly DicomTag SegmentNumber = new(0x0062, 0x0004);
    private static readonly DicomTag SegmentLabel = new(0x0062, 0x0005);
    private static readonly DicomTag SegmentAlgorithmType = new(0x0062, 0x0008);
    private static readonly DicomTag SegmentAlgorithmName = new(0x0062, 0x0009);
    private static readonly DicomTag SegmentIdentificationSequence = new(0x0062, 0x000A);
    private static readonly DicomTag ReferencedSegmentNumber = new(0x0062, 0x000B);
    private static readonly DicomTag SegmentedPropertyTypeCodeSequence = new(0x0062, 0x000F);
    private static readonly DicomTag CodeValue = new(0x0008, 0x0100);
    private static readonly DicomTag CodingSchemeDesignator = new(0x0008, 0x0102);
    private static readonly DicomTag CodeMeaning = new(0x0008, 0x0104);
    private static readonly DicomTag ReferencedSeriesSequence = new(0x0008, 0x1115);
    private static readonly DicomTag ReferencedInstanceSequence = new(0x0008, 0x114A);
    private static readonly DicomTag ReferencedSopClassUid = new(0x0008, 0x1150);
    private static readonly DicomTag ReferencedSopInstanceUid = new(0x0008, 0x1155);
    private static readonly DicomTag SourceImageSequence = new(0x0008, 0x2112);
    private static readonly DicomTag DerivationImageSequence = new(0x0008, 0x9124);
    private static readonly DicomTag DerivationCodeSequence = new(0x0008, 0x9215);
    private static readonly DicomTag PurposeOfReferenceCodeSequence = new(0x0040, 0xA170);
    private static readonly DicomTag SharedFunctionalGroupsSequence = new(0x5200, 0x9229);
    private static readonly DicomTag PerFrameFunctionalGroupsSequence = new(0x5200, 0x9230);
    private static readonly DicomTag PixelMeasuresSequence = new(0x0028, 0x9110);
    private static readonly DicomTag PlaneOrientationSequence = new(0x0020, 0x9116);
    private static readonly DicomTag PlanePositionSequence = new(0x0020, 0x9113);
    private static readonly DicomTag FrameContentSequence = new(0x0020, 0x9111);
    private static readonly DicomTag DimensionIndexValues = new(0x0020, 0x9157);
    private static readonly DicomTag DimensionOrganizationSequence = new(0x0020, 0x9221);
    private static readonly DicomTag DimensionOrganizationUid = new(0x0020, 0x9164);
    private static readonly DicomTag DimensionIndexSequence = new(0x0020, 0x9222);
    private static readonly DicomTag DimensionIndexPointer = new(0x0020, 0x9165);
    private static readonly DicomTag FunctionalGroupPointer = new(0x0020, 0x9167);
    private static readonly DicomTag SpacingBetweenSlices = new(0x0018, 0x0088);
    private static readonly DicomTag SliceThickness = new(0x0018, 0x0050);
    private static readonly DicomTag LossyImageCompression = new(0x0028, 0x2110);
    private static readonly DicomTag ImageType = new(0x0008, 0x0008);
    private static readonly DicomTag InstanceNumber = new(0x0020, 0x0013);
    private static readonly DicomTag SeriesNumber = new(0x0020, 0x0011);
    private static readonly DicomTag ContentDate = new(0x0008, 0x0023);
    private static readonly DicomTag ContentTime = new(0x0008, 0x0033);
    private static readonly DicomTag Manufacturer = new(0x0008, 0x0070);
    private static readonly DicomTag ManufacturerModelName = new(0x0008, 0x1090);
    private static readonly DicomTag DeviceSerialNumber = new(0x0018, 0x1000);
    private static readonly DicomTag SoftwareVersions = new(0x0018, 0x1020);

    /// <summary>
    /// The SEG data set for <paramref name="mask"/> on a valid PET series (its slices in sorted order, as assembled).
    /// </summary>
    /// <param name="mask">The lesion, in the series' voxel indices.</param>
    /// <param name="series">The PET series the mask was drawn on.</param>
    /// <param name="segmentLabel">The segment's label, e.g. "Lesion 1".</param>
    /// <param name="algorithmName">The method, e.g. "Derby adaptive threshold + region growing".</param>
    /// <param name="seriesInstanceUid">The SEG's series (stable per lesion so re-exports replace, not add).</param>
    /// <param name="sopInstanceUid">The SEG instance.</param>
    /// <param name="created">Content date and time.</param>
    /// <exception cref="ArgumentException">The mask does not fit the series, or is empty.</exception>
    public static DicomDataset Build(LesionMask mask, SeriesAssembly series, string segmentLabel, string algorithmName, string seriesInstanceUid,
        string sopInstanceUid, DateTime created)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Geometry is not { } g)
        {
            throw new ArgumentException("The series was refused: no SEG can reference it", nameof(series));
        }

        mask.Box.Validate(g.Columns, g.Rows, g.Slices);
        var slices = Enumerable.Range(mask.Box.Z0, mask.Box.Depth).Where(z => mask.CountOnSlice(z) > 0).ToList();
        if (slices.Count == 0)
        {
            throw new ArgumentException("The mask is empty: a segmentation needs at least one voxel", nameof(mask));
        }

        var first = series.Slices[0].Dataset;
        var plane = g.Rows * g.Columns;
        var bits = new byte[((long)plane * slices.Count + 7) / 8];
        var perFrame = new List<DicomDataset>();
        for (var f = 0; f < slices.Count; f++)
        {
            var z = slices[f];
            var bitBase = (long)f * plane;
            for (var y = mask.Box.Y0; y <= mask.Box.Y1; y++)
            {
                for (var x = mask.Box.X0; x <= mask.Box.X1; x++)
                {
                    if (mask[x, y, z])
                    {
                        var bit = bitBase + (long)y * g.Columns + x;
                        bits[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                    }
                }
            }

            var source = series.Slices[z].Dataset;
            perFrame.Add(new DicomDataset()
                .Add(Sequence(DerivationImageSequence, new DicomDataset()
                    .Add(Sequence(DerivationCodeSequence, Code("113076", "DCM", "Segmentation")))
                    .Add(Sequence(SourceImageSequence, new DicomDataset()
                        .Text(ReferencedSopClassUid, DicomVR.UI, source.GetString(DicomTags.SopClassUid) ?? DicomUid.PetImageStorage)
                        .Text(ReferencedSopInstanceUid, DicomVR.UI, source.GetString(DicomTags.SopInstanceUid) ?? "")
                        .Add(Sequence(PurposeOfReferenceCodeSequence, Code("121322", "DCM", "Source image for image processing operation")))))))
                .Add(Sequence(FrameContentSequence, new DicomDataset().Add(UnsignedLongs(DimensionIndexValues, 1, (uint)(f + 1)))))
                .Add(Sequence(PlanePositionSequence, new DicomDataset()
                    .Decimal(DicomTags.ImagePositionPatient, source.GetNumbers(DicomTags.ImagePositionPatient) ?? [0, 0, 0])))
                .Add(Sequence(SegmentIdentificationSequence, new DicomDataset().UnsignedShort(ReferencedSegmentNumber, 1))));
        }

        var dimensionUid = DicomUid.FromName(seriesInstanceUid + "/dimensions");
        var ds = new DicomDataset()
            .Text(DicomTags.SopClassUid, DicomVR.UI, SegmentationStorage)
            .Text(DicomTags.SopInstanceUid, DicomVR.UI, sopInstanceUid)
            .Text(ImageType, DicomVR.CS, @"DERIVED\PRIMARY")
            .Text(DicomTags.Modality, DicomVR.CS, "SEG")
            .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, seriesInstanceUid)
            .Integer(SeriesNumber, 900)
            .Integer(InstanceNumber, 1)
            .Text(ContentDate, DicomVR.DA, created.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            .Text(ContentTime, DicomVR.TM, created.ToString("HHmmss", CultureInfo.InvariantCulture))
            .Text(ContentLabel, DicomVR.CS, "LESION")
            .Text(ContentDescription, DicomVR.LO, "Liver lesion segmented on baseline PET")
            .Text(ContentCreatorName, DicomVR.PN, "Derby")
            .Text(Manufacturer, DicomVR.LO, "Derby")
            .Text(ManufacturerModelName, DicomVR.LO, "Derby")
            .Text(DeviceSerialNumber, DicomVR.LO, "0")
            .Text(SoftwareVersions, DicomVR.LO, typeof(DicomSegBuilder).Assembly.GetName().Version?.ToString() ?? "0")
            .Text(SegmentationType, DicomVR.CS, "BINARY")
            .UnsignedShort(DicomTags.SamplesPerPixel, 1)
            .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .UnsignedShort(DicomTags.Rows, (ushort)g.Rows)
            .UnsignedShort(DicomTags.Columns, (ushort)g.Columns)
            .UnsignedShort(DicomTags.BitsAllocated, 1)
            .UnsignedShort(DicomTags.BitsStored, 1)
            .UnsignedShort(DicomTags.HighBit, 0)
            .UnsignedShort(DicomTags.PixelRepresentation, 0)
            .Text(LossyImageCompression, DicomVR.CS, "00")
            .Integer(DicomTags.NumberOfFrames, slices.Count)
            .Text(DicomTags.FrameOfReferenceUid, DicomVR.UI, g.FrameOfReferenceUid ?? first.GetString(DicomTags.FrameOfReferenceUid) ?? "")
            .Add(Sequence(DimensionOrganizationSequence, new DicomDataset().Text(DimensionOrganizationUid, DicomVR.UI, dimensionUid)))
            .Add(new DicomSequence(DimensionIndexSequence,
            [
                new DicomDataset().Text(DimensionOrganizationUid, DicomVR.UI, dimensionUid)
                    .Add(Tags(DimensionIndexPointer, ReferencedSegmentNumber)).Add(Tags(FunctionalGroupPointer, SegmentIdentificationSequence)),
                new DicomDataset().Text(DimensionOrganizationUid, DicomVR.UI, dimensionUid)
                    .Add(Tags(DimensionIndexPointer, DicomTags.ImagePositionPatient)).Add(Tags(FunctionalGroupPointer, PlanePositionSequence)),
            ]))
            .Add(Sequence(SegmentSequence, new DicomDataset()
                .UnsignedShort(SegmentNumber, 1)
                .Text(SegmentLabel, DicomVR.LO, segmentLabel)
                .Text(SegmentAlgorithmType, DicomVR.CS, "SEMIAUTOMATIC")
                .Text(SegmentAlgorithmName, DicomVR.LO, algorithmName)
                .Add(Sequence(SegmentedPropertyCategoryCodeSequence, Code("49755003", "SCT", "Morphologically Altered Structure")))
                .Add(Sequence(SegmentedPropertyTypeCodeSequence, Code("4147007", "SCT", "Mass")))))
            .Add(Sequence(SharedFunctionalGroupsSequence, new DicomDataset()
                .Add(Sequence(PixelMeasuresSequence, new DicomDataset()
                    .Decimal(DicomTags.PixelSpacing, g.PixelSpacing[0], g.PixelSpacing[1])
                    .Decimal(SliceThickness, g.SliceSpacing)
                    .Decimal(SpacingBetweenSlices, g.SliceSpacing)))
                .Add(Sequence(PlaneOrientationSequence, new DicomDataset().Decimal(DicomTags.ImageOrientationPatient, g.Orientation)))))
            .Add(new DicomSequence(PerFrameFunctionalGroupsSequence, perFrame))
            .Add(Sequence(ReferencedSeriesSequence, new DicomDataset()
                .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, series.SeriesInstanceUid)
                .Add(new DicomSequence(ReferencedInstanceSequence, slices.Select(z => new DicomDataset()
                    .Text(ReferencedSopClassUid, DicomVR.UI, series.Slices[z].Dataset.GetString(DicomTags.SopClassUid) ?? DicomUid.PetImageStorage)
                    .Text(ReferencedSopInstanceUid, DicomVR.UI, series.Slices[z].Dataset.GetString(DicomTags.SopInstanceUid) ?? "")).ToList()))))
            .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OB, bits.Length % 2 == 0 ? bits : [.. bits, 0]));

        // The patient and study of the source (already de-identified: only the pseudonym and UIDs).
        foreach (var tag in new[] { DicomTags.PatientId, DicomTags.StudyInstanceUid })
        {
            if (first[tag] is { } element)
            {
                ds.Add(element);
            }
        }

        return ds;
    }

    private static DicomSequence Sequence(DicomTag tag, DicomDataset item) => new(tag, [item]);

    private static DicomDataset Code(string value, string scheme, string meaning) => new DicomDataset()
        .Text(CodeValue, DicomVR.SH, value).Text(CodingSchemeDesignator, DicomVR.SH, scheme).Text(CodeMeaning, DicomVR.LO, meaning);

    private static DicomBinary UnsignedLongs(DicomTag tag, params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return new DicomBinary(tag, DicomVR.UL, bytes);
    }

    private static DicomBinary Tags(DicomTag tag, DicomTag value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes, value.Group);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), value.Element);
        return new DicomBinary(tag, DicomVR.AT, bytes);
    }
}
