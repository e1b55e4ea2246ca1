using System.Buffers.Binary;
using Derby.Imaging.Dicom;
using Derby.Imaging.Quantitation;

namespace Derby.Imaging.Tests.Quantitation;

public sealed class SuvCalculatorTests
{
    [Fact]
    public void Compute_MatchesHandComputation_WhenScanIsOneHalfLifeAfterInjection()
    {
        // SUV = C × weight_g / (dose × 2^(−Δt/T½)).
        // Injection 09:00:00.0, scan start (Series Time) 10:49:46.2: Δt = 6586.2 s = T½ of F-18, so the decayed dose is
        // 370 MBq / 2 = 185 000 000 Bq, and the factor is 70 000 g / 185 000 000 Bq = 3.783783783783784e-4 g/Bq.
        var slices = new PetSeriesBuilder
        {
            WeightKg = "70",
            DoseBq = "370000000",
            HalfLifeSeconds = "6586.2",
            InjectionDateTime = "20261127090000",
            InjectionTime = "090000",
            SeriesTime = "104946.2",
            AcquisitionTimes = ["104946.2", "105146", "105346"],
        }.Build();

        var result = SuvCalculator.Compute(slices);

        Assert.Equal(SuvRules.BqmlStartSeriesTime, result.Rule);
        Assert.Equal(70_000.0 / 185_000_000.0, result.SuvFactor, 1e-18);
        Assert.Equal(new DateTime(2026, 11, 27, 9, 0, 0), result.InjectionDateTime);
        Assert.Equal(new DateTime(2026, 11, 27, 10, 49, 46, 200), result.ScanDateTime);
        Assert.Equal(370_000_000.0, result.InjectedDoseBq);
        Assert.Equal(70.0, result.WeightKg);
        Assert.Equal(6586.2, result.HalfLifeSeconds);
        Assert.Equal("BQML", result.Units);
        Assert.Equal("START", result.DecayCorrection);

        // Slice 1 has Rescale Slope 0.75: stored 4000 is 3000 Bq/ml, so SUV = 3000 × 70 000 / 185 000 000 = 1.135135...
        var map = SuvRescale.ForSlice(result, slices[1]);
        Assert.Equal(3000.0 * 70_000 / 185_000_000, map.Apply(4000), 12);
        // Slice 0 (slope 0.5) makes the same stored value 2000 Bq/ml: rescale is per slice.
        Assert.Equal(2000.0 * 70_000 / 185_000_000, SuvRescale.ForSlice(result, slices[0]).Apply(4000), 12);
    }

    [Fact]
    public void ToSuv_AppliesTheSlicesOwnRescaleToSigned16BitPixels()
    {
        var slices = new PetSeriesBuilder().Build();
        var result = SuvCalculator.Compute(slices);
        var slice = slices[2]; // slope 1.0
        var pixels = new byte[6];
        BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(0), 0);
        BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(2), 1000);
        BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(4), 32767);
        slice.Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, pixels));

        var suv = SuvRescale.ToSuv(result, slice);

        Assert.Equal([0f, (float)(1000 * result.SuvFactor), (float)(32767 * result.SuvFactor)], suv);
    }

    [Fact]
    public void Compute_PicksScanStartByRule_AndRecordsTheTagsItUsed()
    {
        var late = new PetSeriesBuilder { SeriesTime = "113012", AcquisitionTimes = ["101900", "101500", "101700"] };

        var series = SuvCalculator.Compute(new PetSeriesBuilder().Build());
        var acquisition = SuvCalculator.Compute(late.Build());
        var ge = SuvCalculator.Compute((late with { GePostInjectionDateTime = "20261127101458.5" }).Build());

        Assert.Equal(new DateTime(2026, 11, 27, 10, 15, 0), series.ScanDateTime);
        Assert.Equal(new DateTime(2026, 11, 27, 10, 15, 0), acquisition.ScanDateTime); // earliest, not the first slice's
        Assert.Equal(new DateTime(2026, 11, 27, 10, 14, 58, 500), ge.ScanDateTime);
        Assert.Contains(DicomTags.SeriesTime, series.TagsUsed);
        Assert.Contains(DicomTags.RadiopharmaceuticalStartDateTime, series.TagsUsed);
        Assert.DoesNotContain(DicomTags.GePetdPostInjectionDateTime, acquisition.TagsUsed);
        Assert.Contains(DicomTags.GePetdPostInjectionDateTime, ge.TagsUsed);
        Assert.Equal(series.TagsUsed.Count, series.TagsUsed.Distinct().Count());
    }

    [Fact]
    public void Compute_FindsGePrivateTagThroughItsCreator_WhenTheBlockIsNotTheFirst()
    {
        var slices = new PetSeriesBuilder { SeriesTime = "113012" }.Build();
        foreach (var s in slices)
        {
            // Another vendor took block 10; GEMS_PETD_01 reserved block 11, so its scan time is (0009,110D).
            s.Text(new DicomTag(0x0009, 0x0010), DicomVR.LO, "ACME PRIVATE")
                .Text(new DicomTag(0x0009, 0x100D), DicomVR.LO, "not a date")
                .Text(new DicomTag(0x0009, 0x0011), DicomVR.LO, "GEMS_PETD_01")
                .Text(new DicomTag(0x0009, 0x110D), DicomVR.DT, "20261127101458");
        }

        var result = SuvCalculator.Compute(slices);

        Assert.Equal(SuvRules.BqmlStartGePostInjection, result.Rule);
        Assert.Equal(new DateTime(2026, 11, 27, 10, 14, 58), result.ScanDateTime);
        Assert.Contains(new DicomTag(0x0009, 0x110D), result.TagsUsed);
    }

    [Fact]
    public void Compute_TakesPhilipsSuvScaleFactorAsWritten_AndItMultipliesStoredTimesSlope()
    {
        var slices = new PetSeriesBuilder { Units = "CNTS", PhilipsSuvScaleFactor = "0.000402817551" }.Build();

        var result = SuvCalculator.Compute(slices);

        Assert.Equal(SuvRules.CntsPhilipsPrivate, result.Rule);
        Assert.Equal(0.000402817551, result.SuvFactor);
        Assert.Null(result.ScanDateTime);
        Assert.Equal(1000 * 0.75 * 0.000402817551, SuvRescale.ForSlice(result, slices[1]).Apply(1000), 15);
    }

    [Fact]
    public void Compute_GivesFactorOne_ForGml_WithoutNeedingDoseOrTimes()
    {
        var result = SuvCalculator.Compute(new PetSeriesBuilder
        {
            Units = "GML", DoseBq = null, InjectionDateTime = null, InjectionTime = null, DecayCorrection = null,
        }.Build());

        Assert.Equal(1.0, result.SuvFactor);
        Assert.Equal(SuvRules.Gml, result.Rule);
    }

    [Fact]
    public void Compute_UsesStartTimeOnSeriesDate_WhenStartDateTimeIsAbsent()
    {
        var withDateTime = SuvCalculator.Compute(new PetSeriesBuilder().Build());
        var timeOnly = SuvCalculator.Compute(new PetSeriesBuilder { InjectionDateTime = null }.Build());

        Assert.Equal(withDateTime.SuvFactor, timeOnly.SuvFactor);
        Assert.Contains(DicomTags.RadiopharmaceuticalStartTime, timeOnly.TagsUsed);
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "no-weight", "(0010,1030)", "Patient's Weight (0010,1030) is missing or empty" },
        { "zero-weight", "(0010,1030)", "Patient's Weight (0010,1030) is '0'; it must be a positive number" },
        { "no-dose", "(0018,1074)", "Radionuclide Total Dose (0018,1074) is missing or empty" },
        { "no-half-life", "(0018,1075)", "Radionuclide Half Life (0018,1075) is missing or empty" },
        { "no-radiopharmaceutical-sequence", "(0054,0016)", "Radiopharmaceutical Information Sequence (0054,0016) is missing or empty" },
        { "no-injection-time", "(0018,1078)", "Injection time is missing: neither Radiopharmaceutical Start DateTime (0018,1078) nor Radiopharmaceutical Start Time (0018,1072)" },
        { "bad-injection-datetime", "(0018,1078)", "Radiopharmaceutical Start DateTime (0018,1078) is '2026112729', which is not" },
        { "injection-after-scan", "(0018,1078)", "from (0018,1078) is after the scan start 2026-11-27 10:15:00" },
        { "unsupported-units", "(0054,1001)", "Units (0054,1001) is 'PROPCPS'; SUVbw is supported for BQML, CNTS (Philips private scale factors) and GML" },
        { "no-units", "(0054,1001)", "Units (0054,1001) is missing or empty" },
        { "cnts-without-philips", "(7053,1000)", "Units (0054,1001) is CNTS but not every slice has a positive Philips SUV Scale Factor (7053,1000)" },
        { "not-decay-corrected", "(0028,0051)", "Corrected Image (0028,0051) is 'ATTN\\SCAT'; SUV needs attenuation (ATTN) and decay (DECY) corrected images" },
        { "not-attenuation-corrected", "(0028,0051)", "Corrected Image (0028,0051) is 'DECY'; SUV needs" },
        { "decay-correction-none", "(0054,1102)", "Decay Correction (0054,1102) is 'NONE'; SUVbw from BQML needs START or ADMIN" },
        { "no-acquisition-time", "(0008,0032)", "Acquisition Time (0008,0032) is missing in slice 1" },
        { "bad-series-time", "(0008,0031)", "Series Time (0008,0031) is '25', which is not a valid DICOM date/time" },
        { "philips-factors-disagree", "(7053,1000)", "Philips SUV Scale Factor (7053,1000) differs between slices (0.0004 to 0.00041)" },
        { "two-series", "(0020,000E)", "Series Instance UID (0020,000E) differs between slices" },
        { "slices-disagree-on-weight", "(0010,1030)", "Patient's Weight (0010,1030) differs between slices ('72.4' in slice 0, '80' in slice 2)" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Compute_FailsNamingTheTag_WhenATagIsMissingOrUnusable(string variant, string tag, string message)
    {
        var slices = ErrorVariant(variant);

        var error = Assert.Throws<SuvException>(() => SuvCalculator.Compute(slices));

        Assert.Equal(tag, error.Tag?.ToString());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForSlice_Fails_WhenRescaleSlopeIsMissingOrTheSliceIsFromAnotherSeries()
    {
        var slices = new PetSeriesBuilder().Build();
        var result = SuvCalculator.Compute(slices);
        var noSlope = slices[0].Remove(DicomTags.RescaleSlope);
        var other = new PetSeriesBuilder { SeriesUid = "1.2.3" }.Build()[0];

        var slopeError = Assert.Throws<SuvException>(() => SuvRescale.ForSlice(result, noSlope));
        var seriesError = Assert.Throws<SuvException>(() => SuvRescale.ForSlice(result, other));

        Assert.Equal("Rescale Slope (0028,1053) is missing; PET stores a slope per slice", slopeError.Message);
        Assert.StartsWith("Series Instance UID (0020,000E) of the slice is '1.2.3'", seriesError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForSlice_RefusesPhilipsCountsWithNonZeroIntercept()
    {
        var slices = new PetSeriesBuilder { Units = "CNTS", PhilipsSuvScaleFactor = "0.0004" }.Build();
        var result = SuvCalculator.Compute(slices);
        slices[0].Decimal(DicomTags.RescaleIntercept, -3);

        var error = Assert.Throws<SuvException>(() => SuvRescale.ForSlice(result, slices[0]));

        Assert.Equal(DicomTags.RescaleIntercept, error.Tag);
    }

    private static IReadOnlyList<DicomDataset> ErrorVariant(string name)
    {
        var ok = new PetSeriesBuilder();
        return name switch
        {
            "no-weight" => (ok with { WeightKg = null }).Build(),
            "zero-weight" => (ok with { WeightKg = "0" }).Build(),
            "no-dose" => (ok with { DoseBq = null }).Build(),
            "no-half-life" => (ok with { HalfLifeSeconds = null }).Build(),
            "no-radiopharmaceutical-sequence" => (ok with { RadiopharmaceuticalSequence = false }).Build(),
            "no-injection-time" => (ok with { InjectionDateTime = null, InjectionTime = null }).Build(),
            "bad-injection-datetime" => (ok with { InjectionDateTime = "2026112729" }).Build(), // hour 29
            "injection-after-scan" => (ok with { InjectionDateTime = "20261127110000" }).Build(),
            "unsupported-units" => (ok with { Units = "PROPCPS" }).Build(),
            "no-units" => (ok with { Units = null }).Build(),
            "cnts-without-philips" => (ok with { Units = "CNTS" }).Build(),
            "not-decay-corrected" => (ok with { CorrectedImage = "ATTN\\SCAT" }).Build(),
            "not-attenuation-corrected" => (ok with { CorrectedImage = "DECY" }).Build(),
            "decay-correction-none" => (ok with { DecayCorrection = "NONE" }).Build(),
            "no-acquisition-time" => Without(ok.Build(), 1, DicomTags.AcquisitionTime),
            "bad-series-time" => (ok with { SeriesTime = "25" }).Build(),
            "slices-disagree-on-weight" => WithWeight(ok.Build(), 2, 80),
            "philips-factors-disagree" => With((ok with { Units = "CNTS", PhilipsSuvScaleFactor = "0.0004" }).Build(), 1, DicomTags.PhilipsSuvScaleFactor, "0.00041"),
            "two-series" => With(ok.Build(), 1, DicomTags.SeriesInstanceUid, "1.2.3"),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    private static IReadOnlyList<DicomDataset> Without(IReadOnlyList<DicomDataset> slices, int index, DicomTag tag)
    {
        slices[index].Remove(tag);
        return slices;
    }

    private static IReadOnlyList<DicomDataset> With(IReadOnlyList<DicomDataset> slices, int index, DicomTag tag, string value)
    {
        slices[index].Text(tag, tag == DicomTags.SeriesInstanceUid ? DicomVR.UI : DicomVR.DS, value);
        return slices;
    }

    private static IReadOnlyList<DicomDataset> WithWeight(IReadOnlyList<DicomDataset> slices, int index, double weight)
    {
        slices[index].Decimal(DicomTags.PatientWeight, weight);
        return slices;
    }
}
