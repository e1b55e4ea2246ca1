using Derby.Imaging.Dicom;

namespace Derby.Imaging.Deidentification;

/// <summary>The dummy values Scrub writes for action D, one per VR; Check accepts exactly these (and empty values).</summary>
public static class DummyValues
{
    public static string For(DicomVR vr) => vr switch
    {
        DicomVR.DA => "19000101",
        DicomVR.TM => "000000",
        DicomVR.DT => "19000101000000",
        DicomVR.PN => "ANONYMOUS",
        DicomVR.AS => "000Y",
        DicomVR.DS or DicomVR.IS => "0",
        DicomVR.UI => string.Empty,
        _ => "ANONYMIZED",
    };
}
