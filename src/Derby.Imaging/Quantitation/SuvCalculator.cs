using System.Globalization;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Quantitation;

/// <summary>
/// Body-weight SUV factor of a PET series following the QIBA vendor-neutral pseudo-code
/// (QIBA SUV wiki, "Vendor-neutral pseudo-code for SUV calculation"; the same logic as @cornerstonejs/calculate-suv):
/// <list type="bullet">
/// <item>BQML, Decay Correction START: SUVbw = C[Bq/ml] × weight[g] / (dose[Bq] × 2^(−Δt/T½)), Δt = scan start − injection.
/// Scan start is Series Date/Time unless that is after the earliest Acquisition Date/Time (some consoles rewrite Series
/// Time on post-processing); then GE's private scan time (0009,xx0D "GEMS_PETD_01"), else the earliest acquisition.</item>
/// <item>BQML, ADMIN: the image is already decay-corrected to injection, so the dose is not decayed again.</item>
/// <item>CNTS: Philips private SUV Scale Factor (7053,xx00); without it, the Activity Concentration Scale Factor
/// (7053,xx09) makes Bq/ml and the BQML rule applies.</item>
/// <item>GML: already SUVbw, factor 1.</item>
/// </list>
/// Injection is Radiopharmaceutical Start DateTime (0018,1078) with its date; failing that Start Time (0018,1072) on the
/// Series Date, a day earlier when that would fall after the scan (injection before midnight, scan after).
/// The factor multiplies the slice's rescaled value; <see cref="SuvRescale"/> applies it per slice.
/// </summary>
public static class SuvCalculator
{
    private const string GeCreator = "GEMS_PETD_01";
    private const string PhilipsCreator = "Philips PET Private Group";

    /// <summary>Computes the SUVbw factor of one PET series from all its slices (any order).</summary>
    /// <exception cref="SuvException">A required tag is missing, unusable or differs between slices; the message names it.</exception>
    public static SuvResult Compute(IReadOnlyList<DicomDataset> slicesOfOnePetSeries)
    {
        ArgumentNullException.ThrowIfNull(slicesOfOnePetSeries);
        if (slicesOfOnePetSeries.Count == 0)
        {
            throw new ArgumentException("A PET series needs at least one slice", nameof(slicesOfOnePetSeries));
        }

        var slices = slicesOfOnePetSeries;
        var first = slices[0];
        var used = new List<DicomTag>();

        RequireSameInAllSlices(slices);
        var seriesUid = Required(first, DicomTags.SeriesInstanceUid, "Series Instance UID", used);
        var units = Required(first, DicomTags.Units, "Units", used).ToUpperInvariant();
        RequireAttenuationAndDecayCorrected(first, used);

        var result = units switch
        {
            "GML" => new SuvResult(seriesUid, units, first.GetString(DicomTags.DecayCorrection), 1.0, SuvRules.Gml, null,
                first.GetNumber(DicomTags.PatientWeight), null, null, null, used),
            "BQML" => ComputeActivityConcentration(slices, seriesUid, units, activityScale: 1.0, cntsRule: null, used),
            "CNTS" => ComputePhilipsCounts(slices, seriesUid, units, used),
            _ => throw new SuvException(
                $"Units {DicomTags.Units} is '{units}'; SUVbw is supported for BQML, CNTS (Philips private scale factors) and GML",
                DicomTags.Units),
        };
        return result with { TagsUsed = used.Distinct().ToArray() };
    }

    private static SuvResult ComputePhilipsCounts(IReadOnlyList<DicomDataset> slices, string seriesUid, string units, List<DicomTag> used)
    {
        // Per slice, as the pseudo-code: each slice must carry a usable factor; the series factor is one value, so they must agree.
        var suvFactors = slices.Select(s => PhilipsFactor(s, 0x00)).ToList();
        if (suvFactors.All(f => f.Value is > 0))
        {
            var factor = suvFactors[0].Value!.Value;
            var tag = suvFactors[0].Tag!.Value;
            RequireAgreement(suvFactors.Select(f => f.Value!.Value), tag, "Philips SUV Scale Factor");
            used.Add(DicomTags.PhilipsPetPrivateCreator);
            used.Add(tag);
            var s0 = slices[0];
            return new SuvResult(seriesUid, units, s0.GetString(DicomTags.DecayCorrection), factor, SuvRules.CntsPhilipsPrivate,
                Radiopharmaceutical(s0)?.GetNumber(DicomTags.RadionuclideTotalDose), s0.GetNumber(DicomTags.PatientWeight),
                Radiopharmaceutical(s0)?.GetNumber(DicomTags.RadionuclideHalfLife), null, null, used);
        }

        var activityFactors = slices.Select(s => PhilipsFactor(s, 0x09)).ToList();
        if (suvFactors.All(f => f.Value is null or 0) && activityFactors.All(f => f.Value is > 0))
        {
            var tag = activityFactors[0].Tag!.Value;
            RequireAgreement(activityFactors.Select(f => f.Value!.Value), tag, "Philips Activity Concentration Scale Factor");
            used.Add(DicomTags.PhilipsPetPrivateCreator);
            used.Add(tag);
            return ComputeActivityConcentration(slices, seriesUid, units, activityFactors[0].Value!.Value,
                SuvRules.CntsPhilipsActivityConcentration, used);
        }

        throw new SuvException(
            $"Units {DicomTags.Units} is CNTS but not every slice has a positive Philips SUV Scale Factor {DicomTags.PhilipsSuvScaleFactor} "
            + $"(or Activity Concentration Scale Factor {DicomTags.PhilipsActivityConcentrationScaleFactor}) under private creator "
            + $"'{PhilipsCreator}' {DicomTags.PhilipsPetPrivateCreator}",
            DicomTags.PhilipsSuvScaleFactor);
    }

    private static (DicomTag? Tag, double? Value) PhilipsFactor(DicomDataset slice, byte offset)
    {
        var tag = PrivateTagLookup.Find(slice, 0x7053, PhilipsCreator, offset);
        return (tag, tag is { } t ? slice.GetNumber(t) : null);
    }

    /// <summary>BQML (activityScale 1) or Philips counts times the activity concentration factor.</summary>
    private static SuvResult ComputeActivityConcentration(IReadOnlyList<DicomDataset> slices, string seriesUid, string units, double activityScale,
        string? cntsRule, List<DicomTag> used)
    {
        var first = slices[0];
        var decayCorrection = Required(first, DicomTags.DecayCorrection, "Decay Correction", used).ToUpperInvariant();
        if (decayCorrection is not ("START" or "ADMIN"))
        {
            throw new SuvException(
                $"Decay Correction {DicomTags.DecayCorrection} is '{decayCorrection}'; SUVbw from {units} needs START or ADMIN", DicomTags.DecayCorrection);
        }

        var weightKg = Positive(first, DicomTags.PatientWeight, "Patient's Weight", used);
        var radiopharmaceutical = Radiopharmaceutical(first) ?? throw new SuvException(
            $"Radiopharmaceutical Information Sequence {DicomTags.RadiopharmaceuticalInformationSequence} is missing or empty; it carries the dose, half-life and injection time",
            DicomTags.RadiopharmaceuticalInformationSequence);
        used.Add(DicomTags.RadiopharmaceuticalInformationSequence);
        var doseBq = Positive(radiopharmaceutical, DicomTags.RadionuclideTotalDose, "Radionuclide Total Dose", used);
        var halfLife = Positive(radiopharmaceutical, DicomTags.RadionuclideHalfLife, "Radionuclide Half Life", used);
        var (scan, scanRule) = ScanStart(slices, used);
        var injection = Injection(radiopharmaceutical, first, scan, used, required: decayCorrection == "START");
        var weightGrams = weightKg * 1000;

        if (decayCorrection == "ADMIN")
        {
            // Values are activity at administration: decaying the dose to scan start as well would correct twice.
            return new SuvResult(seriesUid, units, decayCorrection, activityScale * weightGrams / doseBq, cntsRule ?? SuvRules.BqmlAdmin,
                doseBq, weightKg, halfLife, injection, scan, used);
        }

        var elapsed = (scan - injection!.Value).TotalSeconds;
        if (elapsed < 0)
        {
            throw new SuvException(
                string.Create(CultureInfo.InvariantCulture,
                    $"Injection {injection:yyyy-MM-dd HH:mm:ss.FFFFFF} from {InjectionTag(radiopharmaceutical)} is after the scan start {scan:yyyy-MM-dd HH:mm:ss.FFFFFF}; the injection date or time is wrong"),
                InjectionTag(radiopharmaceutical));
        }

        var decayedDose = doseBq * Math.Pow(2, -elapsed / halfLife);
        return new SuvResult(seriesUid, units, decayCorrection, activityScale * weightGrams / decayedDose, cntsRule ?? scanRule,
            doseBq, weightKg, halfLife, injection, scan, used);
    }

    private static (DateTime Scan, string Rule) ScanStart(IReadOnlyList<DicomDataset> slices, List<DicomTag> used)
    {
        var first = slices[0];
        var seriesDate = DicomDateTimeParser.ParseDate(Required(first, DicomTags.SeriesDate, "Series Date", used))
            ?? throw Unusable(DicomTags.SeriesDate, "Series Date", first.GetString(DicomTags.SeriesDate));
        var seriesTime = DicomDateTimeParser.ParseTime(Required(first, DicomTags.SeriesTime, "Series Time", used))
            ?? throw Unusable(DicomTags.SeriesTime, "Series Time", first.GetString(DicomTags.SeriesTime));
        var series = seriesDate + seriesTime;

        var earliest = DateTime.MaxValue;
        for (var i = 0; i < slices.Count; i++)
        {
            var date = slices[i].GetString(DicomTags.AcquisitionDate);
            var time = slices[i].GetString(DicomTags.AcquisitionTime);
            if (date is null || time is null)
            {
                var tag = date is null ? DicomTags.AcquisitionDate : DicomTags.AcquisitionTime;
                throw new SuvException(
                    $"{(date is null ? "Acquisition Date" : "Acquisition Time")} {tag} is missing in slice {i}; it is needed to check that Series Time is the scan start",
                    tag);
            }

            var acquisition = (DicomDateTimeParser.ParseDate(date) ?? throw Unusable(DicomTags.AcquisitionDate, "Acquisition Date", date))
                + (DicomDateTimeParser.ParseTime(time) ?? throw Unusable(DicomTags.AcquisitionTime, "Acquisition Time", time));
            earliest = acquisition < earliest ? acquisition : earliest;
        }

        used.Add(DicomTags.AcquisitionDate);
        used.Add(DicomTags.AcquisitionTime);
        if (series <= earliest)
        {
            return (series, SuvRules.BqmlStartSeriesTime);
        }

        // Series Time was rewritten after acquisition (post-processing): it is not the scan start.
        if (PrivateTagLookup.Find(first, 0x0009, GeCreator, 0x0D) is { } geTag && first.GetString(geTag) is { } geText)
        {
            var ge = DicomDateTimeParser.ParseDateTime(geText) ?? throw Unusable(geTag, "GE private post-injection date/time", geText);
            used.Add(DicomTags.GePetdPrivateCreator);
            used.Add(geTag);
            return (ge, SuvRules.BqmlStartGePostInjection);
        }

        return (earliest, SuvRules.BqmlStartAcquisitionTime);
    }

    private static DateTime? Injection(DicomDataset radiopharmaceutical, DicomDataset first, DateTime scan, List<DicomTag> used, bool required)
    {
        if (radiopharmaceutical.GetString(DicomTags.RadiopharmaceuticalStartDateTime) is { } dt)
        {
            used.Add(DicomTags.RadiopharmaceuticalStartDateTime);
            return DicomDateTimeParser.ParseDateTime(dt)
                ?? throw Unusable(DicomTags.RadiopharmaceuticalStartDateTime, "Radiopharmaceutical Start DateTime", dt);
        }

        if (radiopharmaceutical.GetString(DicomTags.RadiopharmaceuticalStartTime) is { } tm)
        {
            used.Add(DicomTags.RadiopharmaceuticalStartTime);
            var time = DicomDateTimeParser.ParseTime(tm) ?? throw Unusable(DicomTags.RadiopharmaceuticalStartTime, "Radiopharmaceutical Start Time", tm);
            // No injection date: QIBA assumes the Series Date "but consider spanning midnight". An injection can only
            // precede the scan, so a time later than the scan start on that date was the day before.
            var injection = DicomDateTimeParser.ParseDate(first.GetString(DicomTags.SeriesDate))!.Value + time;
            return injection > scan ? injection.AddDays(-1) : injection;
        }

        if (!required)
        {
            return null;
        }

        throw new SuvException(
            $"Injection time is missing: neither Radiopharmaceutical Start DateTime {DicomTags.RadiopharmaceuticalStartDateTime} nor "
            + $"Radiopharmaceutical Start Time {DicomTags.RadiopharmaceuticalStartTime} is in the Radiopharmaceutical Information Sequence",
            DicomTags.RadiopharmaceuticalStartDateTime);
    }

    private static DicomTag InjectionTag(DicomDataset radiopharmaceutical) =>
        radiopharmaceutical.GetString(DicomTags.RadiopharmaceuticalStartDateTime) is null
            ? DicomTags.RadiopharmaceuticalStartTime
            : DicomTags.RadiopharmaceuticalStartDateTime;

    private static DicomDataset? Radiopharmaceutical(DicomDataset slice) =>
        slice.GetItems(DicomTags.RadiopharmaceuticalInformationSequence) is [var item, ..] ? item : null;

    private static void RequireAttenuationAndDecayCorrected(DicomDataset first, List<DicomTag> used)
    {
        var corrected = Required(first, DicomTags.CorrectedImage, "Corrected Image", used)
            .Split('\\', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!corrected.Contains("ATTN", StringComparer.OrdinalIgnoreCase) || !corrected.Contains("DECY", StringComparer.OrdinalIgnoreCase))
        {
            throw new SuvException(
                $"Corrected Image {DicomTags.CorrectedImage} is '{string.Join('\\', corrected)}'; SUV needs attenuation (ATTN) and decay (DECY) corrected images",
                DicomTags.CorrectedImage);
        }
    }

    /// <summary>Series-level attributes must be identical in every slice, or the slices are not one series.</summary>
    private static void RequireSameInAllSlices(IReadOnlyList<DicomDataset> slices)
    {
        (DicomTag Tag, string Name, Func<DicomDataset, string?> Read)[] checks =
        [
            (DicomTags.SeriesInstanceUid, "Series Instance UID", s => s.GetString(DicomTags.SeriesInstanceUid)),
            (DicomTags.Units, "Units", s => s.GetString(DicomTags.Units)),
            (DicomTags.CorrectedImage, "Corrected Image", s => s.GetString(DicomTags.CorrectedImage)),
            (DicomTags.DecayCorrection, "Decay Correction", s => s.GetString(DicomTags.DecayCorrection)),
            (DicomTags.PatientWeight, "Patient's Weight", s => Number(s.GetNumber(DicomTags.PatientWeight))),
            (DicomTags.SeriesDate, "Series Date", s => s.GetString(DicomTags.SeriesDate)),
            (DicomTags.SeriesTime, "Series Time", s => s.GetString(DicomTags.SeriesTime)),
            (DicomTags.RadionuclideTotalDose, "Radionuclide Total Dose", s => Number(Radiopharmaceutical(s)?.GetNumber(DicomTags.RadionuclideTotalDose))),
            (DicomTags.RadionuclideHalfLife, "Radionuclide Half Life", s => Number(Radiopharmaceutical(s)?.GetNumber(DicomTags.RadionuclideHalfLife))),
            (DicomTags.RadiopharmaceuticalStartDateTime, "Radiopharmaceutical Start DateTime",
                s => Radiopharmaceutical(s)?.GetString(DicomTags.RadiopharmaceuticalStartDateTime)),
            (DicomTags.RadiopharmaceuticalStartTime, "Radiopharmaceutical Start Time",
                s => Radiopharmaceutical(s)?.GetString(DicomTags.RadiopharmaceuticalStartTime)),
        ];
        foreach (var (tag, name, read) in checks)
        {
            var expected = read(slices[0]);
            for (var i = 1; i < slices.Count; i++)
            {
                var actual = read(slices[i]);
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                {
                    throw new SuvException(
                        $"{name} {tag} differs between slices ('{expected}' in slice 0, '{actual}' in slice {i}); the slices are not one PET series",
                        tag);
                }
            }
        }
    }

    private static void RequireAgreement(IEnumerable<double> values, DicomTag tag, string name)
    {
        var list = values.ToList();
        if (list.Any(v => Math.Abs(v - list[0]) > 1e-12 * Math.Abs(list[0])))
        {
            throw new SuvException(
                string.Create(CultureInfo.InvariantCulture, $"{name} {tag} differs between slices ({list.Min():R} to {list.Max():R}); one series factor cannot be given"),
                tag);
        }
    }

    private static string Required(DicomDataset ds, DicomTag tag, string name, List<DicomTag> used)
    {
        used.Add(tag);
        return ds.GetString(tag) ?? throw new SuvException($"{name} {tag} is missing or empty", tag);
    }

    private static double Positive(DicomDataset ds, DicomTag tag, string name, List<DicomTag> used)
    {
        used.Add(tag);
        var text = ds.GetString(tag) ?? throw new SuvException($"{name} {tag} is missing or empty; SUVbw cannot be computed without it", tag);
        var value = ds.GetNumber(tag);
        return value is { } v && double.IsFinite(v) && v > 0
            ? v
            : throw new SuvException($"{name} {tag} is '{text}'; it must be a positive number", tag);
    }

    private static SuvException Unusable(DicomTag tag, string name, string? text) =>
        new($"{name} {tag} is '{text}', which is not a valid DICOM date/time", tag);

    private static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);
}
