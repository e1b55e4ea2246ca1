using Derby.Domain;
using Derby.Imaging.Dicom;
using Derby.Imaging.Quantitation;
using Derby.Synthetic.Clinical;
using Derby.Synthetic.Output;
using Derby.Synthetic.Phantom;

namespace Derby.Imaging.Tests.Quantitation;

/// <summary>
/// The synthetic generator's PET (Derby.Synthetic.Output.SeriesWriter) read back by the calculator: the writer's data
/// sets are captured in memory instead of files, so no DICOM reader is needed, and the factor must equal the truth the
/// writer returns (weight_g / (dose × 2^(−Δt/T½)) from the written decimal strings).
/// </summary>
public sealed class SyntheticTruthTests
{
    public static TheoryData<string, bool> Cases() => new()
    {
        { "ZSH", false },
        { "ZSHX", false },
        { "HWMU", false },
        { "ZSH", true },
        { "HWMU", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_EqualsGeneratorTruth_ForEachSiteScanner(string site, bool injectionBeforeMidnight)
    {
        var scanner = ScannerProfile.For(site);
        var (slices, truth) = WritePet(scanner, injectionBeforeMidnight, []);

        var result = SuvCalculator.Compute(slices);

        Assert.Equal(SuvRules.BqmlStartSeriesTime, result.Rule);
        Assert.Equal(truth.Slices, slices.Count);
        Assert.True(Math.Abs(result.SuvFactor - truth.SuvFactor) <= 1e-12 * truth.SuvFactor, $"{result.SuvFactor:R} vs truth {truth.SuvFactor:R}");

        // Per-slice rescale: the hottest SUV read back equals the one the writer computed from its stored values.
        var suvMax = slices.Max(s => SuvRescale.ToSuv(result, s).Max());
        Assert.Equal(truth.SuvMaxImage, suvMax, truth.SuvMaxImage * 1e-6);

        if (scanner.PhilipsPrivateSuvTags)
        {
            // The Philips factor is written rounded to 8 decimals (about 5 significant digits for ~1e-4 g/Bq), so it
            // agrees only to that; BQML takes precedence over it, as in the QIBA pseudo-code.
            var philips = slices[0].GetNumber(DicomTags.PhilipsSuvScaleFactor)!.Value;
            Assert.Equal(result.SuvFactor, philips, 0.5e-8);
        }
    }

    [Fact]
    public void Compute_FailsNamingTheDose_WhenGeneratorWroteTheMissingDoseFault()
    {
        var (slices, _) = WritePet(ScannerProfile.For("ZSHX"), false, [FaultKind.MissingDose]);

        var error = Assert.Throws<SuvException>(() => SuvCalculator.Compute(slices));

        Assert.Equal(DicomTags.RadionuclideTotalDose, error.Tag);
    }

    private static (IReadOnlyList<DicomDataset> Slices, PetSeriesTruth Truth) WritePet(ScannerProfile scanner, bool injectionBeforeMidnight,
        HashSet<FaultKind> faults)
    {
        // Six 40 mm slices: two bed positions (150 mm beds), so Acquisition Times differ between slices.
        var grid = new VolumeGrid(4, 4, 6, 4, 4, 40, -8, -8, 0);
        var suv = new float[grid.Count];
        for (var i = 0; i < suv.Length; i++)
        {
            suv[i] = 0.5f + i % 11 * 0.9f;
        }

        var scan = injectionBeforeMidnight ? new DateTime(2026, 3, 15, 0, 21, 37) : new DateTime(2026, 3, 14, 10, 21, 37);
        var session = new ImagingSession(scan.AddSeconds(-3911), scan, 312_450_000, 68.3, "1.2.3.1", "1.2.3.2", "1.2.3.3", "1.2.3.4");
        var patient = new SyntheticPatient { Site = scanner.Site, Arm = TreatmentArm.FolfoxAlone, PrimaryCohort = "T", Pseudonym = scanner.Site + "-0001" };
        var capture = new CapturingWriter();

        var truth = new SeriesWriter(capture).WritePet(patient, new PetImage(grid, suv, 1, suv.Max()), scanner, session, scanner.PetCalibration,
            "unused", faults);

        return (capture.Written, truth);
    }

    private sealed class CapturingWriter : IDicomFileWriter
    {
        public List<DicomDataset> Written { get; } = [];

        public void Write(DicomDataset dataset, string path) => Written.Add(dataset);
    }
}
