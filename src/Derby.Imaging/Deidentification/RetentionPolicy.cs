using System.Text.RegularExpressions;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>
/// What the project keeps although the Basic Profile lists it (ADR 0008): the minimum PET quantitation, decay correction
/// and series identity need. Everything else in the profile gets the Basic Profile's action.
/// </summary>
public static partial class RetentionPolicy
{
    public const string LongitudinalFullDates = "Retain Longitudinal Temporal Information with Full Dates Option";
    public const string PatientCharacteristics = "Retain Patient Characteristics Option";
    public const string RetainUids = "Retain UIDs Option";
    public const string DummyValue = "Basic Profile Z: dummy value";

    private const string Decay = "SUV decay-corrects the injected dose from injection to scan start";

    /// <summary>The kept attributes, by tag.</summary>
    public static IReadOnlyDictionary<DicomTag, RetainedAttribute> Attributes { get; } = new RetainedAttribute[]
    {
        new(DicomTags.PatientWeight, "Patient's Weight", PatientCharacteristics, "SUV body-weight normalisation"),
        new(DicomTags.StudyDate, "Study Date", LongitudinalFullDates, Decay + "; study timeline"),
        new(DicomTags.StudyTime, "Study Time", LongitudinalFullDates, Decay + "; study timeline"),
        new(DicomTags.SeriesDate, "Series Date", LongitudinalFullDates, Decay + " (scan start with Decay Correction START)"),
        new(DicomTags.SeriesTime, "Series Time", LongitudinalFullDates, Decay + " (scan start with Decay Correction START)"),
        new(DicomTags.AcquisitionDate, "Acquisition Date", LongitudinalFullDates, "per-bed decay and frame timing"),
        new(DicomTags.AcquisitionTime, "Acquisition Time", LongitudinalFullDates, "per-bed decay and frame timing"),
        new(DicomTags.AcquisitionDateTime, "Acquisition DateTime", LongitudinalFullDates, "per-bed decay and frame timing"),
        new(DicomTags.RadiopharmaceuticalStartTime, "Radiopharmaceutical Start Time", LongitudinalFullDates, Decay),
        new(DicomTags.RadiopharmaceuticalStartDateTime, "Radiopharmaceutical Start DateTime", LongitudinalFullDates, Decay),
        new(DicomTags.DecayCorrectionDateTime, "Decay Correction DateTime", LongitudinalFullDates, Decay + " (enhanced PET)"),
        new(DicomTags.FrameReferenceDateTime, "Frame Reference DateTime", LongitudinalFullDates, Decay + " (enhanced PET)"),
        new(DicomTags.FrameAcquisitionDateTime, "Frame Acquisition DateTime", LongitudinalFullDates, Decay + " (enhanced PET)"),
        new(DicomTags.StudyId, "Study ID", DummyValue, "a study ordinal of up to 4 digits identifies nobody; other values are emptied",
            value => value is null || value.Length == 0 || StudyOrdinal().IsMatch(value)),
        // The Retain UIDs Option keeps these reference sequences (PS3.15 Table E.1-1 gives them K there); their items are
        // still checked and scrubbed attribute by attribute.
        new(DicomTags.ReferencedImageSequence, "Referenced Image Sequence", RetainUids, "links CT slices to their localizer and PET to CT"),
        new(DicomTags.SourceImageSequence, "Source Image Sequence", RetainUids, "links derived images to their sources"),
        new(DicomTags.ReferencedStudySequence, "Referenced Study Sequence", RetainUids, "links objects of the same study"),
        new(DicomTags.ReferencedPerformedProcedureStepSequence, "Referenced Performed Procedure Step Sequence", RetainUids,
            "links the acquisition's procedure step (UIDs only once its items are scrubbed)"),
    }.ToDictionary(a => a.Tag);

    /// <summary>The kept attribute for a profile row present in a data set, or null when the profile's action applies.</summary>
    public static RetainedAttribute? For(ProfileAttribute row, DicomElement element)
    {
        if (Attributes.TryGetValue(row.Tag, out var kept))
        {
            return kept.Keeps(element) ? kept : null;
        }

        // UIDs are kept as they are (Retain UIDs Option): the project's UIDs are generated pseudonymously (2.25 arc).
        return row.Actions == ProfileActions.ReplaceUid ? new RetainedAttribute(row.Tag, row.Name, RetainUids, "UIDs link PET, CT and derived objects") : null;
    }

    [GeneratedRegex(@"^\d{1,4}$")]
    private static partial Regex StudyOrdinal();
}
