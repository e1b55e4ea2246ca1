using Derby.Imaging.Dicom;

namespace Derby.Imaging.Tests;

public sealed class DicomDatasetTests
{
    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.33333333333333")]
    [InlineData(254980000, "254980000")]
    [InlineData(-188.0, "-188")]
    [InlineData(1.2345678901234567e-12, "1.2345678901E-12")]
    public void FormatDecimalString_FitsSixteenCharacters_AndRoundTripsWhenItCan(double value, string expected)
    {
        var text = DicomDataset.FormatDecimalString(value);

        Assert.Equal(expected, text);
        Assert.True(text.Length <= 16);
    }

    [Fact]
    public void Getters_ReadPaddedTextNumbersShortsAndSequences()
    {
        var ds = new DicomDataset()
            .Text(DicomTags.PatientId, DicomVR.LO, "ZSH-0001 ")
            .Decimal(DicomTags.PixelSpacing, 0.5, 0.75)
            .UnsignedShort(DicomTags.Rows, 512)
            .Sequence(DicomTags.RadiopharmaceuticalInformationSequence, new DicomDataset().Decimal(DicomTags.RadionuclideHalfLife, 6586.2));

        Assert.Equal("ZSH-0001", ds.GetString(DicomTags.PatientId));
        Assert.Equal([0.5, 0.75], ds.GetNumbers(DicomTags.PixelSpacing)!);
        Assert.Equal((ushort)512, ds.GetUnsignedShort(DicomTags.Rows));
        Assert.Equal(6586.2, ds.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0].GetNumber(DicomTags.RadionuclideHalfLife));
        Assert.Null(ds.GetNumber(DicomTags.SliceThickness));
        Assert.Empty(ds.GetItems(DicomTags.RadionuclideCodeSequence));
    }

    [Fact]
    public void FromName_GivesStableUidsUnderSixtyFourCharacters()
    {
        var a = DicomUid.FromName("study/1");

        Assert.Equal(a, DicomUid.FromName("study/1"));
        Assert.NotEqual(a, DicomUid.FromName("study/2"));
        Assert.StartsWith("2.25.", a);
        Assert.True(a.Length <= 64);
    }
}
