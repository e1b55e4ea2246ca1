using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Tests.Deidentification;

public sealed class ConfidentialityProfileTests
{
    [Fact]
    public void Attributes_ListTheWholeBasicProfileTable_WithValidActionCodes()
    {
        Assert.Equal(617, ConfidentialityProfile.Attributes.Count);
        Assert.All(ConfidentialityProfile.Attributes, row =>
        {
            Assert.NotEqual(ProfileActions.None, row.Actions);
            Assert.False(row.Tag.IsPrivate);
            Assert.False(string.IsNullOrWhiteSpace(row.Name));
        });
    }

    [Theory]
    [InlineData(0x0010, 0x0010, "Patient's Name", "Z")]
    [InlineData(0x0010, 0x0030, "Patient's Birth Date", "Z")]
    [InlineData(0x0010, 0x1040, "Patient's Address", "X")]
    [InlineData(0x0010, 0x1000, "Other Patient IDs", "X")]
    [InlineData(0x0008, 0x0080, "Institution Name", "X/Z/D")]
    [InlineData(0x0008, 0x0090, "Referring Physician's Name", "Z")]
    [InlineData(0x0018, 0x1000, "Device Serial Number", "X/Z/D")]
    [InlineData(0x0010, 0x4000, "Patient Comments", "X")]
    [InlineData(0x0020, 0x4000, "Image Comments", "X")]
    [InlineData(0x0008, 0x0018, "SOP Instance UID", "U")]
    [InlineData(0x0008, 0x1140, "Referenced Image Sequence", "X/Z/U*")]
    public void Find_GivesTheTableRow_ForListedAttributes(int group, int element, string name, string code)
    {
        var row = ConfidentialityProfile.Find(new DicomTag((ushort)group, (ushort)element));

        Assert.NotNull(row);
        Assert.Equal(name, row.Name);
        Assert.Equal(code, row.ActionCode);
    }

    [Theory]
    [InlineData(0x5000, 0x3000, "Curve Data")]
    [InlineData(0x501E, 0x0010, "Curve Data")]
    [InlineData(0x6000, 0x3000, "Overlay Data")]
    [InlineData(0x6002, 0x4000, "Overlay Comments")]
    public void Find_CoversCurveAndOverlayRepeatingGroups(int group, int element, string name)
    {
        Assert.Equal(name, ConfidentialityProfile.Find(new DicomTag((ushort)group, (ushort)element))?.Name);
    }

    [Theory]
    [InlineData(0x6000, 0x0010)] // Overlay Rows: geometry of the overlay, not listed
    [InlineData(0x0028, 0x0301)] // Burned In Annotation: checked by value, not listed
    [InlineData(0x0054, 0x1001)] // Units
    public void Find_IsNull_ForAttributesTheProfileDoesNotList(int group, int element)
    {
        Assert.Null(ConfidentialityProfile.Find(new DicomTag((ushort)group, (ushort)element)));
    }

    [Fact]
    public void IsRetainedPrivate_KeepsOnlyPhilipsSuvFactors_InTheBlockTheCreatorReserved()
    {
        var ds = new DicomDataset()
            .Text(new DicomTag(0x7053, 0x0011), DicomVR.LO, ConfidentialityProfile.PhilipsPetPrivateCreator)
            .Decimal(new DicomTag(0x7053, 0x1100), 0.0003)
            .Decimal(new DicomTag(0x7053, 0x1109), 1)
            .Text(new DicomTag(0x7053, 0x1101), DicomVR.LO, "other")
            .Decimal(new DicomTag(0x7053, 0x1000), 0.0003) // block 10 has no creator here
            .Text(new DicomTag(0x7055, 0x0010), DicomVR.LO, ConfidentialityProfile.PhilipsPetPrivateCreator)
            .Decimal(new DicomTag(0x7055, 0x1000), 0.0003);

        Assert.True(ConfidentialityProfile.IsRetainedPrivate(ds, new DicomTag(0x7053, 0x0011)));
        Assert.True(ConfidentialityProfile.IsRetainedPrivate(ds, new DicomTag(0x7053, 0x1100)));
        Assert.True(ConfidentialityProfile.IsRetainedPrivate(ds, new DicomTag(0x7053, 0x1109)));
        Assert.False(ConfidentialityProfile.IsRetainedPrivate(ds, new DicomTag(0x7053, 0x1101)));
        Assert.False(ConfidentialityProfile.IsRetainedPrivate(ds, new DicomTag(0x7053, 0x1000)));
        Assert.False(ConfidentialityProfile.IsRetainedPrivate(ds, new DicomTag(0x7055, 0x1000)));
    }
}
