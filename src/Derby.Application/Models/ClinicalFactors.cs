using Derby.Domain;

namespace Derby.Application.Models;

/// <summary>
/// The clinical candidates offered to the LASSO (the paper's Table 1 factors, numerically coded) and the IHC scores of
/// DERBY+. CEA and CA19-9 enter as log(1 + value): both span orders of magnitude.
/// </summary>
public static class ClinicalFactors
{
    /// <summary>Candidate names, in the order of <see cref="Values"/>.</summary>
    public static IReadOnlyList<string> Candidates { get; } =
        ["suv_max", "clinical_risk_score", "log_cea", "log_ca199", "left_primary", "liver_metastases", "largest_diameter_cm", "bilobar", "age", "male"];

    /// <summary>The IHC columns of DERBY+.</summary>
    public static IReadOnlyList<string> Histology { get; } = ["glut1", "pkm"];

    /// <summary>The candidates' values of a record; null (with why) when the record is missing or has no SUVmax.</summary>
    public static (double[]? Values, string? Missing) Values(ClinicalRecord? c)
    {
        if (c is null)
        {
            return (null, "no clinical record");
        }

        if (c.SuvMax is not { } suv)
        {
            return (null, "no SUVmax (enter it, or accept a segmented lesion)");
        }

        return ([suv, c.ClinicalRiskScore, Math.Log(1 + c.CeaNgPerMl), Math.Log(1 + c.Ca199UPerMl), c.PrimarySite == PrimarySite.Left ? 1 : 0,
            c.LiverMetastasisCount, c.LargestDiameterCm, c.Distribution == LiverDistribution.Bilobar ? 1 : 0, c.AgeYears, c.Sex == Sex.Male ? 1 : 0], null);
    }

    /// <summary>GLUT1 and PKM of a biopsy record, or null.</summary>
    public static double[]? HistologyValues(BiopsyScores? b) => b is null ? null : [b.Glut1Score, b.PkmScore];
}
