namespace Derby.Imaging.Dicom;

/// <summary>The value representations the project writes and reads.</summary>
public enum DicomVR
{
    AE, AS, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OW, PN, SH, SQ, SS, ST, TM, UI, UL, UN, US, UT,

    /// <summary>Attribute Tag: group and element, each a little-endian 16-bit word.</summary>
    AT,
}
