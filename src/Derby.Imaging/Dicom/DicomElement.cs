namespace Derby.Imaging.Dicom;

/// <summary>One attribute of a data set: text, binary value or sequence.</summary>
public abstract record DicomElement(DicomTag Tag, DicomVR VR);

/// <summary>A text attribute (multiple values separated by a backslash, as DICOM stores them).</summary>
public sealed record DicomText(DicomTag Tag, DicomVR VR, string Value) : DicomElement(Tag, VR);

/// <summary>A binary attribute (US, SS, UL, FL, FD, OB, OW, UN) as its little-endian bytes.</summary>
public sealed record DicomBinary(DicomTag Tag, DicomVR VR, byte[] Value) : DicomElement(Tag, VR);

/// <summary>A sequence of nested data sets.</summary>
public sealed record DicomSequence(DicomTag Tag, IReadOnlyList<DicomDataset> Items) : DicomElement(Tag, DicomVR.SQ);
