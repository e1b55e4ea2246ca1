using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;
using static Derby.Imaging.Tests.Deidentification.Datasets;

namespace Derby.Imaging.Tests.Deidentification;

public sealed class DeidentificationGateCheckTests
{
    [Fact]
    public void Check_AcceptsTheSyntheticGeneratorsPetSlice_WithPhilipsSuvTags()
    {
        var verdict = DeidentificationGate.Check(SyntheticPetSlice(), Pseudonym);

        Assert.True(verdict.Accepted, string.Join("\n", verdict.Findings));
    }

    public static TheoryData<string, Action<DicomDataset>, string, string> Categories() => new()
    {
        { "name", ds => ds.Text(DicomTags.OtherPatientNames, DicomVR.PN, "ZHANG^WEI"), "(0010,1001)", "Other Patient Names present" },
        { "birth name", ds => ds.Text(DicomTags.PatientBirthName, DicomVR.PN, "WANG^MEI"), "(0010,1005)", "Patient's Birth Name present" },
        { "birth date", ds => ds.Text(DicomTags.PatientBirthDate, DicomVR.DA, "19630412"), "(0010,0030)", "Patient's Birth Date present" },
        { "address", ds => ds.Text(DicomTags.PatientAddress, DicomVR.LO, "12 Lake Road, Wenzhou"), "(0010,1040)", "Patient's Address present" },
        { "other patient ids", ds => ds.Text(DicomTags.OtherPatientIds, DicomVR.LO, "H2019-004512"), "(0010,1000)", "Other Patient IDs present" },
        { "institution", ds => ds.Text(DicomTags.InstitutionName, DicomVR.LO, "HWMU Hospital"), "(0008,0080)", "Institution Name present" },
        { "institution address", ds => ds.Text(DicomTags.InstitutionAddress, DicomVR.ST, "Wenzhou"), "(0008,0081)", "Institution Address present" },
        { "referring physician", ds => ds.Text(DicomTags.ReferringPhysicianName, DicomVR.PN, "LI^NA"), "(0008,0090)", "Referring Physician's Name present" },
        { "performing physician", ds => ds.Text(DicomTags.PerformingPhysicianName, DicomVR.PN, "LI^NA"), "(0008,1050)", "Performing Physician's Name present" },
        { "operator", ds => ds.Text(DicomTags.OperatorsName, DicomVR.PN, "CHEN^JIE"), "(0008,1070)", "Operators' Name present" },
        { "device serial", ds => ds.Text(DicomTags.DeviceSerialNumber, DicomVR.LO, "SN-448812"), "(0018,1000)", "Device Serial Number present" },
        { "station", ds => ds.Text(DicomTags.StationName, DicomVR.SH, "PETCT-2"), "(0008,1010)", "Station Name present" },
        { "patient comments", ds => ds.Text(DicomTags.PatientComments, DicomVR.LT, "diabetic"), "(0010,4000)", "Patient Comments present" },
        { "image comments", ds => ds.Text(DicomTags.ImageComments, DicomVR.LT, "Zhang re-scan"), "(0020,4000)", "Image Comments present" },
        { "accession", ds => ds.Text(DicomTags.AccessionNumber, DicomVR.SH, "A1234"), "(0008,0050)", "Accession Number present" },
        { "patient age", ds => ds.Text(DicomTags.PatientAge, DicomVR.AS, "061Y"), "(0010,1010)", "Patient's Age present" },
        { "protocol name", ds => ds.Text(DicomTags.ProtocolName, DicomVR.LO, "WB Zhang"), "(0018,1030)", "Protocol Name present" },
        { "study id", ds => ds.Text(DicomTags.StudyId, DicomVR.SH, "RIS-2019-77"), "(0020,0010)", "Study ID present" },
        { "overlay", ds => ds.Add(new DicomBinary(new DicomTag(0x6000, 0x3000), DicomVR.OW, [1, 0])), "(6000,3000)", "Overlay Data present" },
        { "curve", ds => ds.Add(new DicomBinary(new DicomTag(0x5000, 0x3000), DicomVR.OW, [1, 0])), "(5000,3000)", "Curve Data present" },
    };

    [Theory]
    [MemberData(nameof(Categories))]
    public void Check_FlagsEachProfileCategory_WithItsName(string category, Action<DicomDataset> add, string path, string reason)
    {
        var ds = SyntheticPetSlice();
        add(ds);

        var finding = Assert.Single(DeidentificationGate.Check(ds, Pseudonym).Findings);

        Assert.Equal(path, finding.Path);
        Assert.StartsWith(reason, finding.Reason, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(category));
    }

    [Theory]
    [MemberData(nameof(Categories))]
    public void Check_FlagsEachProfileCategory_InsideNestedSequences(string category, Action<DicomDataset> add, string path, string reason)
    {
        var ds = SyntheticPetSlice();
        var nested = new DicomDataset();
        add(nested);
        ds.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0].GetItems(DicomTags.RadionuclideCodeSequence)[0]
            .Sequence(DicomTags.ReferencedImageSequence, new DicomDataset(), nested);

        var finding = Assert.Single(DeidentificationGate.Check(ds, Pseudonym).Findings);

        Assert.Equal($"(0054,0016)[0]/(0054,0300)[0]/(0008,1140)[1]/{path}", finding.Path);
        Assert.StartsWith(reason, finding.Reason, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(category));
    }

    [Fact]
    public void Check_FlagsPrivateTags_NamingTheirCreator_ButNotPhilipsSuvFactors()
    {
        var ds = SyntheticPetSlice()
            .Text(new DicomTag(0x0009, 0x0010), DicomVR.LO, "ACME")
            .Text(new DicomTag(0x0009, 0x1001), DicomVR.LO, "operator note: patient Zhang Wei")
            .Text(new DicomTag(0x7053, 0x1001), DicomVR.LO, "not an SUV factor")
            .Text(new DicomTag(0x0019, 0x1001), DicomVR.LO, "orphan");

        var reasons = DeidentificationGate.Check(ds, Pseudonym).Findings.Select(f => f.Reason).ToList();

        Assert.Equal(
            [
                "private creator (0009,0010) 'ACME'",
                "private tag (0009,1001) from creator 'ACME'",
                "private tag (0019,1001) without a private creator",
                "private tag (7053,1001) from creator 'Philips PET Private Group'",
            ],
            reasons);
    }

    [Fact]
    public void Check_FlagsBurnedInAnnotation()
    {
        var ds = SyntheticPetSlice().Text(DicomTags.BurnedInAnnotation, DicomVR.CS, "YES");

        var finding = Assert.Single(DeidentificationGate.Check(ds, Pseudonym).Findings);

        Assert.Equal("Burned In Annotation is YES: pixel data may show identity", finding.Reason);
    }

    [Fact]
    public void Check_FlagsAPatientIdOtherThanThePseudonym_AndAMissingOne()
    {
        var wrong = SyntheticPetSlice().Text(DicomTags.PatientId, DicomVR.LO, "H2019-004512");
        var missing = SyntheticPetSlice().Remove(DicomTags.PatientId);

        Assert.Equal("Patient ID 'H2019-004512' is not the case's pseudonym 'HWMU-0001'",
            Assert.Single(DeidentificationGate.Check(wrong, Pseudonym).Findings).Reason);
        Assert.Equal("Patient ID is missing: it must be the case's pseudonym 'HWMU-0001'",
            Assert.Single(DeidentificationGate.Check(missing, Pseudonym).Findings).Reason);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData(Pseudonym, true)]
    [InlineData("HWMU-0001 ", true)]
    [InlineData("ZHANG^WEI", false)]
    public void Check_AcceptsPatientName_OnlyWhenEmptyOrThePseudonym(string name, bool accepted)
    {
        var ds = SyntheticPetSlice().Text(DicomTags.PatientName, DicomVR.PN, name);

        Assert.Equal(accepted, DeidentificationGate.Check(ds, Pseudonym).Accepted);
    }

    [Fact]
    public void Check_FlagsTheGeneratorsPhiFault_EveryAttribute()
    {
        // The attributes SeriesWriter adds for FaultKind.Phi.
        var ds = SyntheticPetSlice()
            .Text(DicomTags.PatientName, DicomVR.PN, "ZHANG^WEI")
            .Text(DicomTags.PatientBirthDate, DicomVR.DA, "19630412")
            .Text(DicomTags.OtherPatientIds, DicomVR.LO, "H2019-004512")
            .Text(DicomTags.InstitutionName, DicomVR.LO, "HWMU Hospital Nuclear Medicine")
            .Text(DicomTags.ReferringPhysicianName, DicomVR.PN, "LI^NA")
            .Text(DicomTags.DeviceSerialNumber, DicomVR.LO, "SN-448812")
            .Text(new DicomTag(0x0009, 0x0010), DicomVR.LO, "ACME PRIVATE")
            .Text(new DicomTag(0x0009, 0x1001), DicomVR.LO, "operator note: patient Zhang Wei")
            .Text(DicomTags.BurnedInAnnotation, DicomVR.CS, "YES");

        var tags = DeidentificationGate.Check(ds, Pseudonym).Findings.Select(f => f.Tag).ToHashSet();

        Assert.Equal(9, tags.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ANONYMIZED")]
    public void Check_AcceptsAttributesAlreadyAsTheProfileLeavesThem(string value)
    {
        // Institution Name is X/Z/D: empty (Z) or the dummy (D) is what a conforming de-identifier leaves.
        var ds = SyntheticPetSlice().Text(DicomTags.InstitutionName, DicomVR.LO, value);

        Assert.True(DeidentificationGate.Check(ds, Pseudonym).Accepted);
    }

    [Fact]
    public void Check_FlagsAnEmptyAttributeWhoseActionIsRemove()
    {
        var ds = SyntheticPetSlice().Text(DicomTags.PatientAddress, DicomVR.LO, "");

        Assert.False(DeidentificationGate.Check(ds, Pseudonym).Accepted);
    }
}
