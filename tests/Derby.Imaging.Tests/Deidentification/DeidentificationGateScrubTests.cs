using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;
using static Derby.Imaging.Tests.Deidentification.Datasets;

namespace Derby.Imaging.Tests.Deidentification;

public sealed class DeidentificationGateScrubTests
{
    [Fact]
    public void Scrub_LeavesTheSyntheticPetSliceUnchanged_QuantitationByteForByte()
    {
        var slice = SyntheticPetSlice();

        var (cleaned, removed) = DeidentificationGate.Scrub(slice, Pseudonym);

        Assert.Empty(removed);
        Assert.Empty(Differences(slice, cleaned));
        Assert.All(QuantitationTags, tag => Assert.True(SameElement(slice[tag], cleaned[tag]), tag.ToString()));
    }

    [Fact]
    public void Scrub_KeepsQuantitationByteForByte_WhileRemovingPhiAroundIt()
    {
        var source = CarryingEveryProfileAttribute();
        var before = SyntheticPetSlice();

        var (cleaned, _) = DeidentificationGate.Scrub(source, Pseudonym);

        foreach (var tag in QuantitationTags.Where(t => t != DicomTags.RadiopharmaceuticalInformationSequence))
        {
            Assert.True(SameElement(before[tag], cleaned[tag]), tag.ToString());
        }

        // The radiopharmaceutical item had PHI added: what is left is exactly the generator's item.
        Assert.Empty(Differences(
            before.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0],
            cleaned.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0]));
    }

    [Fact]
    public void Scrub_LeavesNoProfileAttribute_CheckingEveryRowOfTheTable()
    {
        var source = CarryingEveryProfileAttribute();

        var (cleaned, _) = DeidentificationGate.Scrub(source, Pseudonym);

        foreach (var row in ConfidentialityProfile.Attributes)
        {
            var element = cleaned[row.Tag];
            if (row.Tag == DicomTags.PatientName || row.Tag == DicomTags.PatientId)
            {
                Assert.Equal(Pseudonym, cleaned.GetString(row.Tag));
            }
            else if (source[row.Tag] is { } original && RetentionPolicy.For(row, original) is { } kept)
            {
                // Kept on purpose (ADR 0008): the source's own value, unchanged.
                Assert.True(SameElement(source[row.Tag], element), $"{row.Name} kept under {kept.Option} but changed");
            }
            else
            {
                Assert.True(element is null || IsEmptyOrDummy(element), $"{row.Name} {row.Tag} ({row.ActionCode}) left with a value");
            }
        }

        foreach (var tag in new DicomTag[] { new(0x5002, 0x3000), new(0x5002, 0x0022), new(0x6000, 0x3000), new(0x6002, 0x4000) })
        {
            Assert.Null(cleaned[tag]);
        }

        Assert.DoesNotContain(cleaned.Elements, e => e.Tag.IsPrivate && !ConfidentialityProfile.IsRetainedPrivate(cleaned, e.Tag));
        Assert.True(DeidentificationGate.Check(cleaned, Pseudonym).Accepted, string.Join("\n", DeidentificationGate.Check(cleaned, Pseudonym).Findings));
    }

    [Fact]
    public void Scrub_ListsExactlyWhatChanged()
    {
        var source = CarryingEveryProfileAttribute();

        var (cleaned, removed) = DeidentificationGate.Scrub(source, Pseudonym);

        var changed = Differences(source, cleaned);
        Assert.Equal(changed, new SortedSet<string>(removed.Select(r => r.Path), StringComparer.Ordinal));
        Assert.Equal(removed.Count, removed.Select(r => r.Path).Distinct().Count());
        Assert.All(removed.Where(r => r.Change == AttributeChange.Removed), r => Assert.False(PathExists(cleaned, r.Path)));
    }

    [Fact]
    public void Scrub_RecordsActionsPerAttribute_AndNoValues()
    {
        var source = SyntheticPetSlice()
            .Patient("ZHANG^WEI", "H2019-004512")
            .Text(DicomTags.PatientBirthDate, DicomVR.DA, "19630412")
            .Text(DicomTags.InstitutionName, DicomVR.LO, "HWMU Hospital")
            .Text(DicomTags.StudyId, DicomVR.SH, "RIS-2019-77")
            .Text(new DicomTag(0x0040, 0xA123), DicomVR.PN, "WANG^LI")
            .Text(new DicomTag(0x0009, 0x0010), DicomVR.LO, "ACME");

        var (cleaned, removed) = DeidentificationGate.Scrub(source, Pseudonym);

        Assert.Equal(
            [
                ("(0008,0080)", AttributeChange.Removed, "X/Z/D"),
                ("(0009,0010)", AttributeChange.Removed, "X"),
                ("(0010,0010)", AttributeChange.SetToPseudonym, "Z"),
                ("(0010,0020)", AttributeChange.SetToPseudonym, "Z/D"),
                ("(0010,0030)", AttributeChange.Emptied, "Z"),
                ("(0020,0010)", AttributeChange.Emptied, "Z"),
                ("(0040,A123)", AttributeChange.ReplacedWithDummy, "D"),
            ],
            removed.Select(r => (r.Path, r.Change, r.ActionCode)).Order());
        Assert.Equal("ANONYMOUS", cleaned.GetString(new DicomTag(0x0040, 0xA123)));
        Assert.Equal(string.Empty, cleaned.GetText(DicomTags.PatientBirthDate));
        Assert.DoesNotContain(removed, r => r.ToString().Contains("ZHANG", StringComparison.Ordinal) || r.ToString().Contains("H2019", StringComparison.Ordinal));
    }

    [Fact]
    public void Scrub_RemovesPrivateTagsOtherThanPhilipsSuvPair_AtEveryLevel()
    {
        var source = CarryingEveryProfileAttribute();

        var (cleaned, removed) = DeidentificationGate.Scrub(source, Pseudonym);

        Assert.Equal(
            ["(0009,0010)", "(0009,1001)", "(0019,1001)", "(0054,0016)[0]/(0011,0010)", "(0054,0016)[0]/(0011,1010)", "(7053,1001)"],
            removed.Where(r => r.Tag.IsPrivate).Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Equal(
            [DicomTags.PhilipsPetPrivateCreator, DicomTags.PhilipsSuvScaleFactor, DicomTags.PhilipsActivityConcentrationScaleFactor],
            cleaned.Elements.Where(e => e.Tag.IsPrivate).Select(e => e.Tag));
        Assert.DoesNotContain(cleaned.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0].Elements, e => e.Tag.IsPrivate);
    }

    [Fact]
    public void Scrub_SetsPatientNameAndIdToThePseudonym_EvenWhenMissing()
    {
        var source = SyntheticPetSlice().Remove(DicomTags.PatientName).Remove(DicomTags.PatientId);

        var (cleaned, removed) = DeidentificationGate.Scrub(source, Pseudonym);

        Assert.Equal(Pseudonym, cleaned.GetString(DicomTags.PatientName));
        Assert.Equal(Pseudonym, cleaned.GetString(DicomTags.PatientId));
        Assert.All(removed, r => Assert.Equal(AttributeChange.SetToPseudonym, r.Change));
        Assert.Equal(2, removed.Count);
    }

    [Fact]
    public void Scrub_NeverModifiesTheInput()
    {
        var source = CarryingEveryProfileAttribute();
        var snapshot = DeepCopy(source);

        var (cleaned, _) = DeidentificationGate.Scrub(source, Pseudonym);
        // Changing the output must not reach the input either (no shared items or byte arrays).
        ((DicomBinary)cleaned[DicomTags.PixelData]!).Value[0] ^= 0xFF;
        cleaned.GetItems(DicomTags.RadiopharmaceuticalInformationSequence)[0].Remove(DicomTags.RadionuclideTotalDose);

        Assert.Empty(Differences(snapshot, source));
    }

    [Fact]
    public void Apply_InScrubMode_StillRefusesBurnedInAnnotation()
    {
        var source = SyntheticPetSlice()
            .Text(DicomTags.BurnedInAnnotation, DicomVR.CS, "YES")
            .Text(DicomTags.InstitutionName, DicomVR.LO, "HWMU Hospital");

        var result = DeidentificationGate.Apply(source, Pseudonym, DeidentificationMode.Scrub);

        Assert.False(result.Accepted);
        Assert.Null(result.Stored);
        Assert.Equal("Burned In Annotation is YES: pixel data may show identity", Assert.Single(result.Findings).Reason);
    }

    [Fact]
    public void Apply_InScrubMode_StoresTheCleanedCopy_AndInRejectModeRefusesTheSameFile()
    {
        var source = CarryingEveryProfileAttribute();

        var scrubbed = DeidentificationGate.Apply(source, Pseudonym, DeidentificationMode.Scrub);
        var rejected = DeidentificationGate.Apply(source, Pseudonym, DeidentificationMode.Reject);

        Assert.True(scrubbed.Accepted);
        Assert.NotSame(source, scrubbed.Stored);
        Assert.NotEmpty(scrubbed.Removed);
        Assert.False(rejected.Accepted);
        Assert.Empty(rejected.Removed);
        Assert.True(rejected.Findings.Count > 500);
        Assert.Equal(DeidentificationMode.Reject, default(DeidentificationMode));
    }

    private static bool IsEmptyOrDummy(DicomElement element) => element switch
    {
        DicomText t => t.Value.Length == 0 || t.Value == DummyValues.For(t.VR),
        DicomBinary b => b.Value.Length == 0,
        DicomSequence s => s.Items.Count == 0,
        _ => false,
    };

    private static bool PathExists(DicomDataset ds, string path)
    {
        var parts = path.Split('/');
        var current = ds;
        foreach (var part in parts[..^1])
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var items = current.Elements.FirstOrDefault(e => e.Tag.ToString() == part[..bracket]) as DicomSequence;
            var index = int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (items is null || index >= items.Items.Count)
            {
                return false;
            }

            current = items.Items[index];
        }

        return current.Elements.Any(e => e.Tag.ToString() == parts[^1]);
    }
}
