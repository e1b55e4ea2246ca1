using System.Buffers.Binary;
using System.Globalization;
using Derby.Imaging.Dicom;
using Derby.Synthetic.Clinical;
using Derby.Synthetic.Phantom;

namespace Derby.Synthetic.Output;

/// <summary>What a reader should find in a written PET series.</summary>
public sealed record PetSeriesTruth(int Slices, double SuvFactor, double SuvMaxImage, double PeakScale, double NoiseFreeSuvMax, string Units);

/// <summary>
/// Writes a patient's PET and CT as DICOM through the project's DICOM layer: de-identified (the pseudonym is the only
/// identifier), shared frame of reference, and full PET quantitation (BQML decay-corrected to scan start, per-slice
/// rescale slope, radiopharmaceutical sequence). Every value a reader needs for SUV is written as the generator used it.
/// </summary>
public sealed class SeriesWriter(IDicomFileWriter writer)
{
    private const double PositronFraction = 0.9673;

    public PetSeriesTruth WritePet(SyntheticPatient patient, PetImage pet, ScannerProfile scanner, ImagingSession session, double calibration,
        string directory, ISet<FaultKind> faults)
    {
        var g = pet.Grid;
        // SUV factor exactly as a reader derives it from the written tags (decimal strings parsed back).
        var dose = ParseDs(DicomDataset.FormatDecimalString(session.InjectedDoseBq));
        var weight = ParseDs(DicomDataset.FormatDecimalString(session.WeightKg));
        var elapsed = (session.ScanStart - session.InjectionTime).TotalSeconds;
        var decayedDose = dose * Math.Pow(2, -elapsed / ImagingSession.F18HalfLifeSeconds);
        var suvFactor = weight * 1000 / decayedDose;
        var skip = faults.Contains(FaultKind.MissingSlice) ? g.Nz / 2 : -1;
        var suvMaxImage = 0.0;
        var plane = g.Nx * g.Ny;
        var bedLength = 150.0;

        for (var k = 0; k < g.Nz; k++)
        {
            var activity = new double[plane];
            var max = 0.0;
            for (var v = 0; v < plane; v++)
            {
                // Bq/ml at scan start: SUV times decayed dose per gram, times the scanner's calibration error.
                activity[v] = pet.Suv[k * plane + v] * calibration / suvFactor;
                max = Math.Max(max, activity[v]);
            }

            var slope = ParseDs(DicomDataset.FormatDecimalString(max > 0 ? max / 32767 : 1));
            var pixels = new byte[plane * 2];
            for (var v = 0; v < plane; v++)
            {
                var stored = (short)Math.Clamp(Math.Round(activity[v] / slope), 0, short.MaxValue);
                BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(v * 2), stored);
                if (k != skip)
                {
                    suvMaxImage = Math.Max(suvMaxImage, stored * slope * suvFactor);
                }
            }

            if (k == skip)
            {
                continue;
            }

            var bed = (int)((g.Z(k) - g.Z(0)) / bedLength);
            var acquisition = session.ScanStart.AddSeconds(bed * scanner.SecondsPerBed);
            var ds = Common(patient, scanner, session, "PT", DicomUid.PetImageStorage, session.PetSeriesUid, 2, k, g, faults);
            ds.Text(DicomTags.ImageType, DicomVR.CS, "ORIGINAL\\PRIMARY")
                .Text(DicomTags.AcquisitionDate, DicomVR.DA, Date(acquisition))
                .Text(DicomTags.AcquisitionTime, DicomVR.TM, Time(acquisition))
                .Decimal(DicomTags.PatientWeight, session.WeightKg)
                .Text(DicomTags.CorrectedImage, DicomVR.CS, "DECY\\ATTN\\SCAT\\DTIM\\RAN\\NORM")
                .Text(DicomTags.Units, DicomVR.CS, "BQML")
                .Text(DicomTags.CountsSource, DicomVR.CS, "EMISSION")
                .Text(DicomTags.DecayCorrection, DicomVR.CS, "START")
                .Text(DicomTags.RandomsCorrectionMethod, DicomVR.CS, "DLYD")
                .Text(DicomTags.AttenuationCorrectionMethod, DicomVR.LO, "CTAC")
                .Text(DicomTags.ReconstructionMethod, DicomVR.LO, "OSEM")
                .Integer(DicomTags.ActualFrameDuration, (int)(scanner.SecondsPerBed * 1000))
                .Decimal(DicomTags.FrameReferenceTime, Math.Round((acquisition - session.ScanStart).TotalMilliseconds + scanner.SecondsPerBed * 500))
                .Decimal(DicomTags.DecayFactor, Math.Round(Math.Pow(2, (acquisition - session.ScanStart).TotalSeconds / ImagingSession.F18HalfLifeSeconds), 6))
                .UnsignedShort(DicomTags.NumberOfSlices, (ushort)g.Nz)
                .UnsignedShort(DicomTags.ImageIndex, (ushort)(k + 1))
                .UnsignedShort(DicomTags.PixelRepresentation, 1)
                .Decimal(DicomTags.RescaleIntercept, 0)
                .Text(DicomTags.RescaleSlope, DicomVR.DS, DicomDataset.FormatDecimalString(slope))
                .Text(DicomTags.RescaleType, DicomVR.LO, "BQML");
            var radiopharmaceutical = new DicomDataset()
                .Text(DicomTags.Radiopharmaceutical, DicomVR.LO, "Fluorodeoxyglucose")
                .Decimal(DicomTags.RadionuclideHalfLife, ImagingSession.F18HalfLifeSeconds)
                .Decimal(DicomTags.RadionuclidePositronFraction, PositronFraction)
                .Sequence(DicomTags.RadionuclideCodeSequence, new DicomDataset()
                    .Text(DicomTags.CodeValue, DicomVR.SH, "C-111A1")
                    .Text(DicomTags.CodingSchemeDesignator, DicomVR.SH, "SRT")
                    .Text(DicomTags.CodeMeaning, DicomVR.LO, "^18^Fluorine"));
            if (!faults.Contains(FaultKind.MissingDose))
            {
                radiopharmaceutical
                    .Text(DicomTags.RadiopharmaceuticalStartTime, DicomVR.TM, Time(session.InjectionTime))
                    .Text(DicomTags.RadiopharmaceuticalStartDateTime, DicomVR.DT, Date(session.InjectionTime) + Time(session.InjectionTime))
                    .Decimal(DicomTags.RadionuclideTotalDose, session.InjectedDoseBq);
            }

            ds.Sequence(DicomTags.RadiopharmaceuticalInformationSequence, radiopharmaceutical);
            if (scanner.PhilipsPrivateSuvTags)
            {
                // Philips keeps its SUV factor in a private group: SUV = rescaled value × (7053,1000); values already Bq/ml.
                ds.Text(DicomTags.PhilipsPetPrivateCreator, DicomVR.LO, "Philips PET Private Group")
                    .Decimal(DicomTags.PhilipsSuvScaleFactor, suvFactor)
                    .Decimal(DicomTags.PhilipsActivityConcentrationScaleFactor, 1);
            }

            ds.Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, pixels));
            writer.Write(ds, Path.Combine(directory, $"{k + 1:D4}.dcm"));
        }

        return new PetSeriesTruth(g.Nz - (skip >= 0 ? 1 : 0), suvFactor, suvMaxImage, pet.PeakScale, pet.NoiseFreeSuvMax, "BQML");
    }

    public int WriteCt(SyntheticPatient patient, float[] hu, VolumeGrid g, ScannerProfile scanner, ImagingSession session, string directory,
        ISet<FaultKind> faults)
    {
        var plane = g.Nx * g.Ny;
        var skip = faults.Contains(FaultKind.MissingSlice) ? g.Nz / 2 : -1;
        var displaced = faults.Contains(FaultKind.InconsistentSpacing) ? g.Nz / 3 : -1;
        var written = 0;
        for (var k = 0; k < g.Nz; k++)
        {
            if (k == skip)
            {
                continue;
            }

            var pixels = new byte[plane * 2];
            for (var v = 0; v < plane; v++)
            {
                var stored = (ushort)Math.Clamp(Math.Round(hu[k * plane + v] + 1024), 0, 4095);
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(v * 2), stored);
            }

            var ds = Common(patient, scanner, session, "CT", DicomUid.CtImageStorage, session.CtSeriesUid, 1, k, g, faults,
                k == displaced ? g.Dz / 2 : 0);
            ds.Text(DicomTags.ImageType, DicomVR.CS, "ORIGINAL\\PRIMARY\\AXIAL")
                .Text(DicomTags.AcquisitionDate, DicomVR.DA, Date(session.ScanStart.AddMinutes(-3)))
                .Text(DicomTags.AcquisitionTime, DicomVR.TM, Time(session.ScanStart.AddMinutes(-3)))
                .Decimal(DicomTags.KVP, 120)
                .Text(DicomTags.ConvolutionKernel, DicomVR.SH, "STANDARD")
                .UnsignedShort(DicomTags.PixelRepresentation, 0)
                .Decimal(DicomTags.WindowCenter, 40)
                .Decimal(DicomTags.WindowWidth, 400)
                .Decimal(DicomTags.RescaleIntercept, -1024)
                .Decimal(DicomTags.RescaleSlope, 1)
                .Text(DicomTags.RescaleType, DicomVR.LO, "HU")
                .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, pixels));
            writer.Write(ds, Path.Combine(directory, $"{k + 1:D4}.dcm"));
            written++;
        }

        return written;
    }

    private static DicomDataset Common(SyntheticPatient patient, ScannerProfile scanner, ImagingSession session, string modality, string sopClass,
        string seriesUid, int seriesNumber, int k, VolumeGrid g, ISet<FaultKind> faults, double zShift = 0)
    {
        var z = g.Z(k) + zShift;
        var ds = new DicomDataset()
            .Text(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .Text(DicomTags.SopClassUid, DicomVR.UI, sopClass)
            .Text(DicomTags.SopInstanceUid, DicomVR.UI, DicomUid.FromName($"{seriesUid}/{k + 1}"))
            .Text(DicomTags.StudyDate, DicomVR.DA, Date(session.ScanStart))
            .Text(DicomTags.SeriesDate, DicomVR.DA, Date(session.ScanStart))
            .Text(DicomTags.StudyTime, DicomVR.TM, Time(session.ScanStart.AddMinutes(-3)))
            .Text(DicomTags.SeriesTime, DicomVR.TM, Time(modality == "PT" ? session.ScanStart : session.ScanStart.AddMinutes(-3)))
            .Text(DicomTags.Modality, DicomVR.CS, modality)
            .Text(DicomTags.Manufacturer, DicomVR.LO, scanner.Manufacturer)
            .Text(DicomTags.ManufacturerModelName, DicomVR.LO, scanner.Model)
            .Text(DicomTags.PatientName, DicomVR.PN, patient.Pseudonym)
            .Text(DicomTags.PatientId, DicomVR.LO, patient.Pseudonym)
            .Decimal(DicomTags.SliceThickness, g.Dz)
            .Text(DicomTags.PatientPosition, DicomVR.CS, "HFS")
            .Text(DicomTags.StudyInstanceUid, DicomVR.UI, session.StudyInstanceUid)
            .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, seriesUid)
            .Text(DicomTags.StudyId, DicomVR.SH, "1")
            .Integer(DicomTags.SeriesNumber, seriesNumber)
            .Integer(DicomTags.InstanceNumber, k + 1)
            .Decimal(DicomTags.ImagePositionPatient, Math.Round(g.X0, 4), Math.Round(g.Y0, 4), Math.Round(z, 4))
            .Decimal(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0)
            .Text(DicomTags.FrameOfReferenceUid, DicomVR.UI, session.FrameOfReferenceUid)
            .Decimal(DicomTags.SliceLocation, Math.Round(z, 4))
            .UnsignedShort(DicomTags.SamplesPerPixel, 1)
            .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .UnsignedShort(DicomTags.Rows, (ushort)g.Ny)
            .UnsignedShort(DicomTags.Columns, (ushort)g.Nx)
            .Decimal(DicomTags.PixelSpacing, Math.Round(g.Dy, 6), Math.Round(g.Dx, 6))
            .UnsignedShort(DicomTags.BitsAllocated, 16)
            .UnsignedShort(DicomTags.BitsStored, 16)
            .UnsignedShort(DicomTags.HighBit, 15)
            .Text(DicomTags.BurnedInAnnotation, DicomVR.CS, "NO");
        if (faults.Contains(FaultKind.Phi))
        {
            ds.Text(DicomTags.PatientName, DicomVR.PN, "ZHANG^WEI")
                .Text(DicomTags.PatientBirthDate, DicomVR.DA, "19630412")
                .Text(DicomTags.OtherPatientIds, DicomVR.LO, "H2019-004512")
                .Text(DicomTags.InstitutionName, DicomVR.LO, scanner.Site + " Hospital Nuclear Medicine")
                .Text(DicomTags.ReferringPhysicianName, DicomVR.PN, "LI^NA")
                .Text(DicomTags.DeviceSerialNumber, DicomVR.LO, "SN-448812")
                .Text(new DicomTag(0x0009, 0x0010), DicomVR.LO, "ACME PRIVATE")
                .Text(new DicomTag(0x0009, 0x1001), DicomVR.LO, "operator note: patient Zhang Wei")
                .Text(DicomTags.BurnedInAnnotation, DicomVR.CS, "YES");
        }

        return ds;
    }

    private static double ParseDs(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static string Date(DateTime t) => t.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Time(DateTime t) => t.ToString("HHmmss", CultureInfo.InvariantCulture);
}
