using Derby.Imaging.Dicom;

namespace Derby.Imaging.Tests.Quantitation;

/// <summary>
/// Builds the PET slices of one vendor variant in memory. Every value is the DICOM text a scanner would write; null leaves
/// the attribute out. The same datasets feed Derby's calculator and, through <see cref="PeerSuv"/>, the Node peer.
/// </summary>
internal sealed record PetSeriesBuilder
{
    public string SeriesUid { get; init; } = "1.2.826.0.1.3680043.10.1.4242";
    public string? Units { get; init; } = "BQML";
    public string? CorrectedImage { get; init; } = "DECY\\ATTN\\SCAT\\DTIM\\RAN\\NORM";
    public string? DecayCorrection { get; init; } = "START";
    public string? WeightKg { get; init; } = "72.4";
    public string? DoseBq { get; init; } = "351530000";
    public string? HalfLifeSeconds { get; init; } = "6586.2";
    public string? SeriesDate { get; init; } = "20261127";
    public string? SeriesTime { get; init; } = "101500";
    public string? AcquisitionDate { get; init; } = "20261127";
    /// <summary>One per slice: the slices' Acquisition Times (bed positions), in slice order.</summary>
    public IReadOnlyList<string> AcquisitionTimes { get; init; } = ["101500", "101700", "101900"];
    public string? InjectionDateTime { get; init; } = "20261127090412.25";
    public string? InjectionTime { get; init; } = "090412.25";
    public bool RadiopharmaceuticalSequence { get; init; } = true;
    /// <summary>GE (0009,100D) "GEMS_PETD_01", a DT.</summary>
    public string? GePostInjectionDateTime { get; init; }
    /// <summary>Philips (7053,1000) under "Philips PET Private Group".</summary>
    public string? PhilipsSuvScaleFactor { get; init; }
    /// <summary>Philips (7053,1009) under "Philips PET Private Group".</summary>
    public string? PhilipsActivityConcentrationScaleFactor { get; init; }
    public string Manufacturer { get; init; } = "SIEMENS";

    public IReadOnlyList<DicomDataset> Build() =>
        AcquisitionTimes.Select((acquisitionTime, k) => Slice(k, acquisitionTime)).ToList();

    private DicomDataset Slice(int k, string acquisitionTime)
    {
        var ds = new DicomDataset()
            .Text(DicomTags.SopClassUid, DicomVR.UI, DicomUid.PetImageStorage)
            .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, SeriesUid)
            .Text(DicomTags.Modality, DicomVR.CS, "PT")
            .Text(DicomTags.Manufacturer, DicomVR.LO, Manufacturer)
            .Integer(DicomTags.InstanceNumber, k + 1)
            .Text(DicomTags.AcquisitionTime, DicomVR.TM, acquisitionTime)
            // Slope differs per slice, as scanners write it; intercept 0.
            .Decimal(DicomTags.RescaleSlope, 0.5 + k * 0.25)
            .Decimal(DicomTags.RescaleIntercept, 0)
            .UnsignedShort(DicomTags.BitsAllocated, 16)
            .UnsignedShort(DicomTags.PixelRepresentation, 1);
        Optional(ds, DicomTags.Units, DicomVR.CS, Units);
        Optional(ds, DicomTags.CorrectedImage, DicomVR.CS, CorrectedImage);
        Optional(ds, DicomTags.DecayCorrection, DicomVR.CS, DecayCorrection);
        Optional(ds, DicomTags.PatientWeight, DicomVR.DS, WeightKg);
        Optional(ds, DicomTags.SeriesDate, DicomVR.DA, SeriesDate);
        Optional(ds, DicomTags.SeriesTime, DicomVR.TM, SeriesTime);
        Optional(ds, DicomTags.AcquisitionDate, DicomVR.DA, AcquisitionDate);
        if (RadiopharmaceuticalSequence)
        {
            var item = new DicomDataset().Text(DicomTags.Radiopharmaceutical, DicomVR.LO, "Fluorodeoxyglucose");
            Optional(item, DicomTags.RadiopharmaceuticalStartTime, DicomVR.TM, InjectionTime);
            Optional(item, DicomTags.RadionuclideTotalDose, DicomVR.DS, DoseBq);
            Optional(item, DicomTags.RadionuclideHalfLife, DicomVR.DS, HalfLifeSeconds);
            Optional(item, DicomTags.RadiopharmaceuticalStartDateTime, DicomVR.DT, InjectionDateTime);
            ds.Sequence(DicomTags.RadiopharmaceuticalInformationSequence, item);
        }

        if (GePostInjectionDateTime is not null)
        {
            ds.Text(DicomTags.GePetdPrivateCreator, DicomVR.LO, "GEMS_PETD_01")
                .Text(DicomTags.GePetdPostInjectionDateTime, DicomVR.DT, GePostInjectionDateTime);
        }

        if (PhilipsSuvScaleFactor is not null || PhilipsActivityConcentrationScaleFactor is not null)
        {
            ds.Text(DicomTags.PhilipsPetPrivateCreator, DicomVR.LO, "Philips PET Private Group");
            Optional(ds, DicomTags.PhilipsSuvScaleFactor, DicomVR.DS, PhilipsSuvScaleFactor);
            Optional(ds, DicomTags.PhilipsActivityConcentrationScaleFactor, DicomVR.DS, PhilipsActivityConcentrationScaleFactor);
        }

        return ds;
    }

    private static void Optional(DicomDataset ds, DicomTag tag, DicomVR vr, string? value)
    {
        if (value is not null)
        {
            ds.Text(tag, vr, value);
        }
    }
}
