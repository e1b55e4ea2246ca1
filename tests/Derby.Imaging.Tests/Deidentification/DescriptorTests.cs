using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Tests.Deidentification;

/// <summary>Free-text descriptions can name people: they are flagged and scrubbed like every other profile attribute.</summary>
public sealed class DescriptorTests
{
    [Theory]
    [InlineData(0x1030, "Study Description")]
    [InlineData(0x103E, "Series Description")]
    public void Descriptions_AreFlagged_AndScrubbed(ushort element, string name)
    {
        var tag = new DicomTag(0x0008, element);
        var ds = new DicomDataset()
            .Text(DicomTags.PatientId, DicomVR.LO, "ZSH-0001")
            .Text(DicomTags.Modality, DicomVR.CS, "PT")
            .Text(tag, DicomVR.LO, "PET for Zhang Wei, bed 12");

        var verdict = DeidentificationGate.Check(ds, "ZSH-0001");
        var (cleaned, removed) = DeidentificationGate.Scrub(ds, "ZSH-0001");

        Assert.Contains(verdict.Findings, f => f.Tag == tag && f.Name == name);
        Assert.True(cleaned.GetString(tag) is null, $"{name} survived the scrub");
        Assert.Contains(removed, r => r.Tag == tag);
    }
}
