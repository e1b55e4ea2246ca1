using Derby.Imaging.Quantitation;

namespace Derby.Imaging.Tests.Quantitation;

/// <summary>
/// Derby's SUVbw factors against @cornerstonejs/calculate-suv 1.1.0 (peer/package-lock.json), the QIBA vendor-neutral
/// pseudo-code as OHIF runs it, on vendor variants built here. Both read the very same datasets.
/// </summary>
public sealed class SuvPeerAgreementTests
{
    private const double RelativeTolerance = 1e-9;

    private static readonly PetSeriesBuilder GeLateSeriesTime = new()
    {
        Manufacturer = "GE MEDICAL SYSTEMS",
        // Series Time rewritten at 11:30:12 by post-processing, after every bed position was acquired.
        SeriesTime = "113012",
        AcquisitionTimes = ["101900", "101500", "101700"],
    };

    private static readonly PetSeriesBuilder PhilipsCounts = new()
    {
        Manufacturer = "Philips Medical Systems",
        Units = "CNTS",
        PhilipsSuvScaleFactor = "0.000402817551",
        PhilipsActivityConcentrationScaleFactor = "1.083",
    };

    public static TheoryData<string, string> Variants() => new()
    {
        { "bqml-start", SuvRules.BqmlStartSeriesTime },
        { "ge-late-series-time-with-private", SuvRules.BqmlStartGePostInjection },
        { "ge-late-series-time-without-private", SuvRules.BqmlStartAcquisitionTime },
        { "philips-cnts-suv-factor", SuvRules.CntsPhilipsPrivate },
        { "philips-cnts-activity-concentration-only", SuvRules.CntsPhilipsActivityConcentration },
        { "injection-before-midnight-scan-after", SuvRules.BqmlStartSeriesTime },
        { "gml", SuvRules.Gml },
    };

    private static PetSeriesBuilder Variant(string name) => name switch
    {
        "bqml-start" => new PetSeriesBuilder(),
        "ge-late-series-time-with-private" => GeLateSeriesTime with { GePostInjectionDateTime = "20261127101458.5" },
        "ge-late-series-time-without-private" => GeLateSeriesTime,
        "philips-cnts-suv-factor" => PhilipsCounts,
        "philips-cnts-activity-concentration-only" => PhilipsCounts with { PhilipsSuvScaleFactor = null },
        "injection-before-midnight-scan-after" => new PetSeriesBuilder
        {
            InjectionDateTime = "20261127233015",
            InjectionTime = "233015",
            SeriesDate = "20261128",
            SeriesTime = "003000",
            AcquisitionDate = "20261128",
            AcquisitionTimes = ["003000", "003200", "003400"],
        },
        "gml" => new PetSeriesBuilder { Units = "GML" },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Compute_AgreesWithCornerstoneCalculateSuv_ForVendorVariant(string variant, string expectedRule)
    {
        var slices = Variant(variant).Build();

        var ours = SuvCalculator.Compute(slices);
        var (peer, error) = PeerSuv.Compute(slices);

        Assert.Null(error);
        Assert.Equal(expectedRule, ours.Rule);
        Assert.Equal(slices.Count, peer!.Length);
        Assert.All(peer, p => AssertRelative(p, ours.SuvFactor));
    }

    [Fact]
    public void Compute_DoesNotDecayTwice_WhenDecayCorrectionIsAdmin_WhereThePeerDoes()
    {
        // The peer ignores Decay Correction (0054,1102) and always decays the dose to scan start. With ADMIN the values are
        // already activity at injection, so Derby uses the undecayed dose: ours = peer × 2^(−Δt/T½).
        var slices = new PetSeriesBuilder { DecayCorrection = "ADMIN" }.Build();

        var ours = SuvCalculator.Compute(slices);
        var (peer, error) = PeerSuv.Compute(slices);

        Assert.Null(error);
        Assert.Equal(SuvRules.BqmlAdmin, ours.Rule);
        var elapsed = (ours.ScanDateTime!.Value - ours.InjectionDateTime!.Value).TotalSeconds;
        Assert.Equal(4247.75, elapsed, 6); // 09:04:12.25 to 10:15:00
        AssertRelative(peer![0] * Math.Pow(2, -elapsed / 6586.2), ours.SuvFactor);
        AssertRelative(72.4 * 1000 / 351530000, ours.SuvFactor);
    }

    [Fact]
    public void Compute_RollsInjectionBackADay_WhenOnlyStartTimeIsGivenAndScanIsAfterMidnight_WhereThePeerFails()
    {
        // Without (0018,1078) the peer puts the injection on the Series Date, after the scan, and gives up. QIBA says to
        // "consider spanning midnight": Derby takes the day before, which matches the variant that has the full DateTime.
        var timeOnly = Variant("injection-before-midnight-scan-after") with { InjectionDateTime = null };
        var withDate = Variant("injection-before-midnight-scan-after");

        var ours = SuvCalculator.Compute(timeOnly.Build());
        var (_, peerError) = PeerSuv.Compute(timeOnly.Build());
        var (peerWithDate, _) = PeerSuv.Compute(withDate.Build());

        Assert.Equal("Decay time cannot be less than zero", peerError);
        Assert.Equal(new DateTime(2026, 11, 27, 23, 30, 15), ours.InjectionDateTime);
        AssertRelative(peerWithDate![0], ours.SuvFactor);
    }

    [Fact]
    public void Compute_ReadsFractionWithLeadingZeroAsDicomDefines_WhereThePeerDoesNot()
    {
        // The peer turns ".05" into 50000 µs, then right-pads "50000" to "500000": it reads 0.05 s as 0.5 s. Derby reads
        // the DICOM decimal fraction (0.05 s). Injection 09:04:12.05 to scan 10:15:00: Δt = 4247.95 s (peer: 4247.5 s).
        var slices = new PetSeriesBuilder { InjectionDateTime = "20261127090412.05" }.Build();

        var ours = SuvCalculator.Compute(slices);
        var (peer, _) = PeerSuv.Compute(slices);

        AssertRelative(72.4 * 1000 / (351530000 * Math.Pow(2, -4247.95 / 6586.2)), ours.SuvFactor);
        AssertRelative(72.4 * 1000 / (351530000 * Math.Pow(2, -4247.5 / 6586.2)), peer![0]);
    }

    private static void AssertRelative(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= RelativeTolerance * Math.Abs(expected),
            $"expected {expected:R}, got {actual:R} (relative difference {Math.Abs(actual - expected) / Math.Abs(expected):E2})");
}
