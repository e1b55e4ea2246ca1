using Derby.Synthetic.Clinical;
using Derby.Synthetic.Phantom;

namespace Derby.Synthetic.Output;

/// <summary>The generator's hidden truth, written beside the study for tests and benchmarks; the platform never reads it.</summary>
public sealed record GroundTruth(
    string Generator,
    ulong Seed,
    string Scale,
    IReadOnlyDictionary<string, double> ResponseModel,
    IReadOnlyList<CohortTruth> Cohorts,
    IReadOnlyList<FaultTruth> Faults,
    IReadOnlyList<PatientTruth> Patients);

/// <summary>
/// Per cohort: the ideal AUC (the true response probability against the outcomes drawn) and what each modality's
/// part of the hidden model alone reaches.
/// </summary>
public sealed record CohortTruth(string Code, int N, int Responders, double IdealAuc, double ImagingAuc, double ClinicalAuc, double HistologyAuc,
    double ImagingClinicalAuc);

public sealed record FaultTruth(string Pseudonym, string Kind);

public sealed record PatientTruth(
    string Pseudonym,
    string Site,
    IReadOnlyList<string> Cohorts,
    double ImagePhenotype,
    double LinearPredictor,
    double ResponseProbability,
    bool Responder,
    ImagingTruth? Imaging);

public sealed record ImagingTruth(
    double WeightKg,
    double InjectedDoseBq,
    string InjectionDateTime,
    string ScanStartDateTime,
    double PetCalibration,
    string StudyInstanceUid,
    string FrameOfReferenceUid,
    SeriesTruth Pet,
    SeriesTruth Ct,
    double SuvFactor,
    double SuvMaxImage,
    double SuvMaxNoiseFree,
    double PeakScale,
    IReadOnlyList<LesionTruth> Lesions);

public sealed record SeriesTruth(string SeriesInstanceUid, int Slices, int Rows, int Columns, double[] PixelSpacingMm, double SliceThicknessMm,
    double[] FirstPositionMm);

/// <summary>A lesion's analytic shape: mask = { ((x - cx)/a)² + ((y - cy)/b)² + ((z - cz)/c)² ≤ 1 }, LPS mm.</summary>
public sealed record LesionTruth(double[] CenterMm, double[] SemiAxesMm, double DiameterCm, double VolumeMl, string Lobe, double CoreFraction,
    double RelativePeak, double TextureAmplitude)
{
    public static LesionTruth From(Lesion l) => new([l.X, l.Y, l.Z], [l.A, l.B, l.C], Math.Round(l.DiameterCm, 4), Math.Round(l.VolumeMl, 4), l.Lobe,
        l.CoreFraction, l.RelativePeak, l.TextureAmplitude);
}

internal static class Auc
{
    /// <summary>Mann-Whitney AUC with ties counted half.</summary>
    public static double Of(IReadOnlyList<(double Score, bool Positive)> data)
    {
        var pos = data.Where(d => d.Positive).Select(d => d.Score).ToArray();
        var neg = data.Where(d => !d.Positive).Select(d => d.Score).ToArray();
        if (pos.Length == 0 || neg.Length == 0)
        {
            return double.NaN;
        }

        double wins = 0;
        foreach (var p in pos)
        {
            foreach (var n in neg)
            {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }

        return wins / pos.Length / neg.Length;
    }

    public static CohortTruth For(string code, IReadOnlyList<SyntheticPatient> members) => new(
        code,
        members.Count,
        members.Count(m => m.Responder),
        Of(members.Select(m => (m.ResponseProbability, m.Responder)).ToList()),
        Of(members.Select(m => (m.ImagingPart, m.Responder)).ToList()),
        Of(members.Select(m => (m.ClinicalPart, m.Responder)).ToList()),
        Of(members.Select(m => (m.HistologyPart, m.Responder)).ToList()),
        Of(members.Select(m => (m.ImagingPart + m.ClinicalPart, m.Responder)).ToList()));
}
