namespace Derby.Imaging.Dicom;

/// <summary>The tags the project reads and writes, named as in DICOM PS3.6.</summary>
public static class DicomTags
{
    public static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);
    public static readonly DicomTag ImageType = new(0x0008, 0x0008);
    public static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    public static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);
    public static readonly DicomTag StudyDate = new(0x0008, 0x0020);
    public static readonly DicomTag SeriesDate = new(0x0008, 0x0021);
    public static readonly DicomTag AcquisitionDate = new(0x0008, 0x0022);
    public static readonly DicomTag StudyTime = new(0x0008, 0x0030);
    public static readonly DicomTag SeriesTime = new(0x0008, 0x0031);
    public static readonly DicomTag AcquisitionTime = new(0x0008, 0x0032);
    public static readonly DicomTag AccessionNumber = new(0x0008, 0x0050);
    public static readonly DicomTag Modality = new(0x0008, 0x0060);
    public static readonly DicomTag Manufacturer = new(0x0008, 0x0070);
    public static readonly DicomTag InstitutionName = new(0x0008, 0x0080);
    public static readonly DicomTag InstitutionAddress = new(0x0008, 0x0081);
    public static readonly DicomTag ReferringPhysicianName = new(0x0008, 0x0090);
    public static readonly DicomTag StationName = new(0x0008, 0x1010);
    public static readonly DicomTag StudyDescription = new(0x0008, 0x1030);
    public static readonly DicomTag SeriesDescription = new(0x0008, 0x103E);
    public static readonly DicomTag OperatorsName = new(0x0008, 0x1070);
    public static readonly DicomTag ManufacturerModelName = new(0x0008, 0x1090);
    public static readonly DicomTag PatientName = new(0x0010, 0x0010);
    public static readonly DicomTag PatientId = new(0x0010, 0x0020);
    public static readonly DicomTag PatientBirthDate = new(0x0010, 0x0030);
    public static readonly DicomTag PatientSex = new(0x0010, 0x0040);
    public static readonly DicomTag OtherPatientIds = new(0x0010, 0x1000);
    public static readonly DicomTag PatientAge = new(0x0010, 0x1010);
    public static readonly DicomTag PatientWeight = new(0x0010, 0x1030);
    public static readonly DicomTag PatientAddress = new(0x0010, 0x1040);
    public static readonly DicomTag PatientComments = new(0x0010, 0x4000);
    public static readonly DicomTag SliceThickness = new(0x0018, 0x0050);
    public static readonly DicomTag KVP = new(0x0018, 0x0060);
    public static readonly DicomTag SpacingBetweenSlices = new(0x0018, 0x0088);
    public static readonly DicomTag DeviceSerialNumber = new(0x0018, 0x1000);
    public static readonly DicomTag SoftwareVersions = new(0x0018, 0x1020);
    public static readonly DicomTag Radiopharmaceutical = new(0x0018, 0x0031);
    public static readonly DicomTag RadiopharmaceuticalStartTime = new(0x0018, 0x1072);
    public static readonly DicomTag RadionuclideTotalDose = new(0x0018, 0x1074);
    public static readonly DicomTag RadionuclideHalfLife = new(0x0018, 0x1075);
    public static readonly DicomTag RadionuclidePositronFraction = new(0x0018, 0x1076);
    public static readonly DicomTag RadiopharmaceuticalStartDateTime = new(0x0018, 0x1078);
    public static readonly DicomTag ReconstructionDiameter = new(0x0018, 0x1100);
    public static readonly DicomTag ActualFrameDuration = new(0x0018, 0x1242);
    public static readonly DicomTag ConvolutionKernel = new(0x0018, 0x1210);
    public static readonly DicomTag PatientPosition = new(0x0018, 0x5100);
    public static readonly DicomTag StudyInstanceUid = new(0x0020, 0x000D);
    public static readonly DicomTag SeriesInstanceUid = new(0x0020, 0x000E);
    public static readonly DicomTag StudyId = new(0x0020, 0x0010);
    public static readonly DicomTag SeriesNumber = new(0x0020, 0x0011);
    public static readonly DicomTag InstanceNumber = new(0x0020, 0x0013);
    public static readonly DicomTag ImagePositionPatient = new(0x0020, 0x0032);
    public static readonly DicomTag ImageOrientationPatient = new(0x0020, 0x0037);
    public static readonly DicomTag FrameOfReferenceUid = new(0x0020, 0x0052);
    public static readonly DicomTag PositionReferenceIndicator = new(0x0020, 0x1040);
    public static readonly DicomTag SliceLocation = new(0x0020, 0x1041);
    public static readonly DicomTag SamplesPerPixel = new(0x0028, 0x0002);
    public static readonly DicomTag PhotometricInterpretation = new(0x0028, 0x0004);
    public static readonly DicomTag Rows = new(0x0028, 0x0010);
    public static readonly DicomTag Columns = new(0x0028, 0x0011);
    public static readonly DicomTag PixelSpacing = new(0x0028, 0x0030);
    public static readonly DicomTag BitsAllocated = new(0x0028, 0x0100);
    public static readonly DicomTag BitsStored = new(0x0028, 0x0101);
    public static readonly DicomTag HighBit = new(0x0028, 0x0102);
    public static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);
    public static readonly DicomTag BurnedInAnnotation = new(0x0028, 0x0301);
    public static readonly DicomTag CorrectedImage = new(0x0028, 0x0051);
    public static readonly DicomTag WindowCenter = new(0x0028, 0x1050);
    public static readonly DicomTag WindowWidth = new(0x0028, 0x1051);
    public static readonly DicomTag RescaleIntercept = new(0x0028, 0x1052);
    public static readonly DicomTag RescaleSlope = new(0x0028, 0x1053);
    public static readonly DicomTag RescaleType = new(0x0028, 0x1054);
    public static readonly DicomTag RadiopharmaceuticalInformationSequence = new(0x0054, 0x0016);
    public static readonly DicomTag RadionuclideCodeSequence = new(0x0054, 0x0300);
    public static readonly DicomTag NumberOfSlices = new(0x0054, 0x0081);
    public static readonly DicomTag Units = new(0x0054, 0x1001);
    public static readonly DicomTag CountsSource = new(0x0054, 0x1002);
    public static readonly DicomTag RandomsCorrectionMethod = new(0x0054, 0x1100);
    public static readonly DicomTag AttenuationCorrectionMethod = new(0x0054, 0x1101);
    public static readonly DicomTag DecayCorrection = new(0x0054, 0x1102);
    public static readonly DicomTag ReconstructionMethod = new(0x0054, 0x1103);
    public static readonly DicomTag FrameReferenceTime = new(0x0054, 0x1300);
    public static readonly DicomTag DecayFactor = new(0x0054, 0x1321);
    public static readonly DicomTag ImageIndex = new(0x0054, 0x1330);
    public static readonly DicomTag CodeValue = new(0x0008, 0x0100);
    public static readonly DicomTag CodingSchemeDesignator = new(0x0008, 0x0102);
    public static readonly DicomTag CodeMeaning = new(0x0008, 0x0104);
    public static readonly DicomTag NumberOfFrames = new(0x0028, 0x0008);
    public static readonly DicomTag PixelData = new(0x7FE0, 0x0010);

    /// <summary>Philips PET private group creator and its SUV factors (PS3.15-kept for quantitation).</summary>
    public static readonly DicomTag PhilipsPetPrivateCreator = new(0x7053, 0x0010);
    public static readonly DicomTag PhilipsSuvScaleFactor = new(0x7053, 0x1000);
    public static readonly DicomTag PhilipsActivityConcentrationScaleFactor = new(0x7053, 0x1009);

    // De-identification gate (Derby.Imaging.Deidentification): attributes it keeps or tests by name.
    public static readonly DicomTag AcquisitionDateTime = new(0x0008, 0x002A);
    public static readonly DicomTag DecayCorrectionDateTime = new(0x0018, 0x9701);
    public static readonly DicomTag FrameReferenceDateTime = new(0x0018, 0x9151);
    public static readonly DicomTag FrameAcquisitionDateTime = new(0x0018, 0x9074);
    public static readonly DicomTag InstitutionCodeSequence = new(0x0008, 0x0082);
    public static readonly DicomTag PerformingPhysicianName = new(0x0008, 0x1050);
    public static readonly DicomTag PatientBirthName = new(0x0010, 0x1005);
    public static readonly DicomTag OtherPatientNames = new(0x0010, 0x1001);
    public static readonly DicomTag ProtocolName = new(0x0018, 0x1030);
    public static readonly DicomTag ImageComments = new(0x0020, 0x4000);
    public static readonly DicomTag ReferencedStudySequence = new(0x0008, 0x1110);
    public static readonly DicomTag ReferencedPerformedProcedureStepSequence = new(0x0008, 0x1111);
    public static readonly DicomTag ReferencedImageSequence = new(0x0008, 0x1140);
    public static readonly DicomTag SourceImageSequence = new(0x0008, 0x2112);

    // SUV quantitation (Derby.Imaging.Quantitation). Private tags are found through their creator, never by fixed element.
    /// <summary>GE PET private group creator: "GEMS_PETD_01" in (0009,0010) reserves (0009,10xx).</summary>
    public static readonly DicomTag GePetdPrivateCreator = new(0x0009, 0x0010);

    /// <summary>
    /// GE (0009,xx0D) under "GEMS_PETD_01": the scan start the GE console recorded, a DT ("post-injection" date/time in the
    /// QIBA pseudo-code and in @cornerstonejs/calculate-suv). Used as scan time when Series Time was rewritten after
    /// acquisition.
    /// </summary>
    public static readonly DicomTag GePetdPostInjectionDateTime = new(0x0009, 0x100D);
}
