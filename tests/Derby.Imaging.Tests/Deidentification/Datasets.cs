using System.Buffers.Binary;
using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Tests.Deidentification;

/// <summary>Data sets built in memory for the gate's tests, and structural comparison of data sets.</summary>
internal static class Datasets
{
    public const string Pseudonym = "HWMU-0001";

    /// <summary>
    /// A PET slice with the attributes src/Derby.Synthetic/Output/SeriesWriter.cs writes (Common + WritePet) for a HWMU
    /// patient: Philips scanner, so with the private 7053 SUV group.
    /// </summary>
    public static DicomDataset SyntheticPetSlice()
    {
        var pixels = new byte[4 * 4 * 2];
        BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(10), 1234);
        var ds = new DicomDataset()
            .Text(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .Text(DicomTags.SopClassUid, DicomVR.UI, DicomUid.PetImageStorage)
            .Text(DicomTags.SopInstanceUid, DicomVR.UI, DicomUid.FromName("pet-series/12"))
            .Text(DicomTags.StudyDate, DicomVR.DA, "20240311")
            .Text(DicomTags.SeriesDate, DicomVR.DA, "20240311")
            .Text(DicomTags.StudyTime, DicomVR.TM, "101200")
            .Text(DicomTags.SeriesTime, DicomVR.TM, "101500")
            .Text(DicomTags.Modality, DicomVR.CS, "PT")
            .Text(DicomTags.Manufacturer, DicomVR.LO, "Philips Medical Systems")
            .Text(DicomTags.ManufacturerModelName, DicomVR.LO, "GEMINI TF 64")
            .Text(DicomTags.PatientName, DicomVR.PN, Pseudonym)
            .Text(DicomTags.PatientId, DicomVR.LO, Pseudonym)
            .Decimal(DicomTags.SliceThickness, 4)
            .Text(DicomTags.PatientPosition, DicomVR.CS, "HFS")
            .Text(DicomTags.StudyInstanceUid, DicomVR.UI, DicomUid.FromName("study"))
            .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, DicomUid.FromName("pet-series"))
            .Text(DicomTags.StudyId, DicomVR.SH, "1")
            .Integer(DicomTags.SeriesNumber, 2)
            .Integer(DicomTags.InstanceNumber, 12)
            .Decimal(DicomTags.ImagePositionPatient, -288, -288, 44)
            .Decimal(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0)
            .Text(DicomTags.FrameOfReferenceUid, DicomVR.UI, DicomUid.FromName("frame"))
            .Decimal(DicomTags.SliceLocation, 44)
            .UnsignedShort(DicomTags.SamplesPerPixel, 1)
            .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .UnsignedShort(DicomTags.Rows, 4)
            .UnsignedShort(DicomTags.Columns, 4)
            .Decimal(DicomTags.PixelSpacing, 4, 4)
            .UnsignedShort(DicomTags.BitsAllocated, 16)
            .UnsignedShort(DicomTags.BitsStored, 16)
            .UnsignedShort(DicomTags.HighBit, 15)
            .Text(DicomTags.BurnedInAnnotation, DicomVR.CS, "NO")
            .Text(DicomTags.ImageType, DicomVR.CS, "ORIGINAL\\PRIMARY")
            .Text(DicomTags.AcquisitionDate, DicomVR.DA, "20240311")
            .Text(DicomTags.AcquisitionTime, DicomVR.TM, "101730")
            .Decimal(DicomTags.PatientWeight, 71.5)
            .Text(DicomTags.CorrectedImage, DicomVR.CS, "DECY\\ATTN\\SCAT\\DTIM\\RAN\\NORM")
            .Text(DicomTags.Units, DicomVR.CS, "BQML")
            .Text(DicomTags.CountsSource, DicomVR.CS, "EMISSION")
            .Text(DicomTags.DecayCorrection, DicomVR.CS, "START")
            .Text(DicomTags.RandomsCorrectionMethod, DicomVR.CS, "DLYD")
            .Text(DicomTags.AttenuationCorrectionMethod, DicomVR.LO, "CTAC")
            .Text(DicomTags.ReconstructionMethod, DicomVR.LO, "OSEM")
            .Integer(DicomTags.ActualFrameDuration, 90000)
            .Decimal(DicomTags.FrameReferenceTime, 195000)
            .Decimal(DicomTags.DecayFactor, 1.01898)
            .UnsignedShort(DicomTags.NumberOfSlices, 40)
            .UnsignedShort(DicomTags.ImageIndex, 12)
            .UnsignedShort(DicomTags.PixelRepresentation, 1)
            .Decimal(DicomTags.RescaleIntercept, 0)
            .Text(DicomTags.RescaleSlope, DicomVR.DS, "0.4087145")
            .Text(DicomTags.RescaleType, DicomVR.LO, "BQML")
            .Sequence(DicomTags.RadiopharmaceuticalInformationSequence, new DicomDataset()
                .Text(DicomTags.Radiopharmaceutical, DicomVR.LO, "Fluorodeoxyglucose")
                .Decimal(DicomTags.RadionuclideHalfLife, 6586.2)
                .Decimal(DicomTags.RadionuclidePositronFraction, 0.9673)
                .Sequence(DicomTags.RadionuclideCodeSequence, new DicomDataset()
                    .Text(DicomTags.CodeValue, DicomVR.SH, "C-111A1")
                    .Text(DicomTags.CodingSchemeDesignator, DicomVR.SH, "SRT")
                    .Text(DicomTags.CodeMeaning, DicomVR.LO, "^18^Fluorine"))
                .Text(DicomTags.RadiopharmaceuticalStartTime, DicomVR.TM, "091500")
                .Text(DicomTags.RadiopharmaceuticalStartDateTime, DicomVR.DT, "20240311091500")
                .Decimal(DicomTags.RadionuclideTotalDose, 254980000))
            .Text(DicomTags.PhilipsPetPrivateCreator, DicomVR.LO, ConfidentialityProfile.PhilipsPetPrivateCreator)
            .Decimal(DicomTags.PhilipsSuvScaleFactor, 0.00031291)
            .Decimal(DicomTags.PhilipsActivityConcentrationScaleFactor, 1);
        return ds.Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, pixels));
    }

    /// <summary>The attributes PET quantitation reads (SUV, decay, Philips' factors): Scrub must leave them byte for byte.</summary>
    public static readonly DicomTag[] QuantitationTags =
    [
        DicomTags.PatientWeight, DicomTags.RadiopharmaceuticalInformationSequence, DicomTags.StudyDate, DicomTags.StudyTime,
        DicomTags.SeriesDate, DicomTags.SeriesTime, DicomTags.AcquisitionDate, DicomTags.AcquisitionTime, DicomTags.Units,
        DicomTags.DecayCorrection, DicomTags.DecayFactor, DicomTags.FrameReferenceTime, DicomTags.ActualFrameDuration,
        DicomTags.RescaleSlope, DicomTags.RescaleIntercept, DicomTags.CorrectedImage, DicomTags.PhilipsPetPrivateCreator,
        DicomTags.PhilipsSuvScaleFactor, DicomTags.PhilipsActivityConcentrationScaleFactor, DicomTags.PixelData,
    ];

    /// <summary>A value for a profile attribute, shaped by what its name says it is (the table carries no VR).</summary>
    public static DicomElement ValueFor(ProfileAttribute row, DicomTag tag)
    {
        var name = row.Name;
        if (name.Contains("Sequence", StringComparison.Ordinal))
        {
            return new DicomSequence(tag, [new DicomDataset()
                .Text(DicomTags.CodeMeaning, DicomVR.LO, "Dr Wang's clinic")
                .Text(new DicomTag(0x0008, 0x1155), DicomVR.UI, "2.25.1234")]);
        }

        return name switch
        {
            _ when name.EndsWith("UID", StringComparison.Ordinal) || name.EndsWith("UID List", StringComparison.Ordinal)
                || name.Contains("UID (Trial)", StringComparison.Ordinal) => new DicomText(tag, DicomVR.UI, "2.25.98765"),
            _ when name.EndsWith("DateTime", StringComparison.Ordinal) => new DicomText(tag, DicomVR.DT, "20240311101500"),
            _ when name.Contains("Date", StringComparison.Ordinal) => new DicomText(tag, DicomVR.DA, "19630412"),
            _ when name.Contains("Time", StringComparison.Ordinal) => new DicomText(tag, DicomVR.TM, "101500"),
            _ when name.Contains("Name", StringComparison.Ordinal) => new DicomText(tag, DicomVR.PN, "ZHANG^WEI"),
            _ when name is "Patient's Weight" or "Patient's Size" => new DicomText(tag, DicomVR.DS, "71.5"),
            _ when name.Contains("Data", StringComparison.Ordinal) || name.Contains("Document", StringComparison.Ordinal)
                || name is "MAC" or "Selector OB Value" or "Selector UN Value" => new DicomBinary(tag, DicomVR.OB, [1, 2, 3, 4]),
            _ => new DicomText(tag, DicomVR.LO, "H2019-004512 Zhang Wei"),
        };
    }

    /// <summary>
    /// The synthetic PET slice plus every attribute of the profile with an identifying value (curves, overlays, private
    /// tags included), and a nested item carrying PHI inside the kept radiopharmaceutical sequence.
    /// </summary>
    public static DicomDataset CarryingEveryProfileAttribute()
    {
        var ds = SyntheticPetSlice();
        foreach (var row in ConfidentialityProfile.Attributes)
        {
            if (!RetentionPolicy.Attributes.ContainsKey(row.Tag))
            {
                ds.Add(ValueFor(row, row.Tag));
            }
        }

        ds.Patient("ZHANG^WEI", "H2019-004512")
            .Text(DicomTags.StudyId, DicomVR.SH, "RIS-2019-77")
            .Add(new DicomBinary(new DicomTag(0x5002, 0x3000), DicomVR.OW, [1, 2, 3, 4]))
            .Text(new DicomTag(0x5002, 0x0022), DicomVR.LO, "curve of Zhang Wei")
            .Add(new DicomBinary(new DicomTag(0x6000, 0x3000), DicomVR.OW, [1, 2, 3, 4]))
            .Text(new DicomTag(0x6002, 0x4000), DicomVR.LT, "overlay note: Zhang Wei")
            .Text(new DicomTag(0x0009, 0x0010), DicomVR.LO, "ACME PRIVATE")
            .Text(new DicomTag(0x0009, 0x1001), DicomVR.LO, "operator note: patient Zhang Wei")
            .Text(new DicomTag(0x7053, 0x1001), DicomVR.LO, "Philips element that is not an SUV factor")
            .Text(new DicomTag(0x0019, 0x1001), DicomVR.LO, "no creator");
        var radiopharmaceutical = ds.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0];
        radiopharmaceutical.Text(DicomTags.OperatorsName, DicomVR.PN, "LI^NA")
            .Sequence(DicomTags.InstitutionCodeSequence, new DicomDataset().Text(DicomTags.CodeMeaning, DicomVR.LO, "HWMU Hospital"))
            .Text(new DicomTag(0x0011, 0x0010), DicomVR.LO, "VENDOR X")
            .Text(new DicomTag(0x0011, 0x1010), DicomVR.LO, "Zhang Wei");
        return ds;
    }

    public static DicomDataset Patient(this DicomDataset ds, string name, string id) =>
        ds.Text(DicomTags.PatientName, DicomVR.PN, name).Text(DicomTags.PatientId, DicomVR.LO, id);

    public static DicomDataset DeepCopy(DicomDataset ds)
    {
        var copy = new DicomDataset();
        foreach (var element in ds.Elements)
        {
            copy.Add(element switch
            {
                DicomBinary b => b with { Value = (byte[])b.Value.Clone() },
                DicomSequence s => s with { Items = [.. s.Items.Select(DeepCopy)] },
                _ => element,
            });
        }

        return copy;
    }

    /// <summary>The paths ("(0054,0016)[0]/(0008,0080)") at which two data sets differ: added, removed or changed elements.</summary>
    public static SortedSet<string> Differences(DicomDataset a, DicomDataset b, string prefix = "")
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tag in a.Elements.Select(e => e.Tag).Union(b.Elements.Select(e => e.Tag)))
        {
            var path = prefix + tag;
            var (x, y) = (a[tag], b[tag]);
            if (x is DicomSequence sx && y is DicomSequence sy && sx.Items.Count == sy.Items.Count)
            {
                for (var i = 0; i < sx.Items.Count; i++)
                {
                    paths.UnionWith(Differences(sx.Items[i], sy.Items[i], $"{path}[{i}]/"));
                }
            }
            else if (!SameElement(x, y))
            {
                paths.Add(path);
            }
        }

        return paths;
    }

    public static bool SameElement(DicomElement? x, DicomElement? y) => (x, y) switch
    {
        (null, null) => true,
        (DicomText tx, DicomText ty) => tx == ty,
        (DicomBinary bx, DicomBinary by) => bx.Tag == by.Tag && bx.VR == by.VR && bx.Value.AsSpan().SequenceEqual(by.Value),
        (DicomSequence sx, DicomSequence sy) => sx.Tag == sy.Tag && sx.Items.Count == sy.Items.Count
            && sx.Items.Zip(sy.Items).All(p => Differences(p.First, p.Second).Count == 0),
        _ => false,
    };
}
