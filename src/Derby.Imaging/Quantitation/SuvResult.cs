using Derby.Imaging.Dicom;

namespace Derby.Imaging.Quantitation;

/// <summary>
/// The body-weight SUV factor of one PET series and what it was derived from.
/// SUVbw of a voxel = (stored value × Rescale Slope + Rescale Intercept) × <see cref="SuvFactor"/>, with the slope and
/// intercept of the voxel's own slice (<see cref="SuvRescale"/>). For every rule, including Philips CNTS, the factor
/// multiplies the rescaled value; see docs/decisions/0007-suv-rules.md.
/// </summary>
/// <param name="SeriesInstanceUid">Series Instance UID (0020,000E) shared by all slices.</param>
/// <param name="Units">Units (0054,1001): BQML, CNTS or GML.</param>
/// <param name="DecayCorrection">Decay Correction (0054,1102): START or ADMIN; null when absent (allowed only where unused).</param>
/// <param name="SuvFactor">g/ml per rescaled unit: weight [g] / decayed dose [Bq] for BQML.</param>
/// <param name="Rule">Which branch produced the factor, one of <see cref="SuvRules"/>.</param>
/// <param name="InjectedDoseBq">Radionuclide Total Dose (0018,1074) when read.</param>
/// <param name="WeightKg">Patient's Weight (0010,1030) when read.</param>
/// <param name="HalfLifeSeconds">Radionuclide Half Life (0018,1075) when read.</param>
/// <param name="InjectionDateTime">Injection date and time as written (scanner clock; any DT offset ignored).</param>
/// <param name="ScanDateTime">The scan start the dose was decayed to.</param>
/// <param name="TagsUsed">The attributes the factor was derived from, in the order read.</param>
public sealed record SuvResult(
    string SeriesInstanceUid,
    string Units,
    string? DecayCorrection,
    double SuvFactor,
    string Rule,
    double? InjectedDoseBq,
    double? WeightKg,
    double? HalfLifeSeconds,
    DateTime? InjectionDateTime,
    DateTime? ScanDateTime,
    IReadOnlyList<DicomTag> TagsUsed);
