using Derby.Domain;

namespace Derby.Synthetic.Clinical;

/// <summary>
/// One column of the paper's Table 1 (counts of n) and the responders reported in the text, the targets the generator
/// draws a cohort's patients to match.
/// </summary>
public sealed record CohortTarget(
    string Code,
    CohortKind Kind,
    int N,
    int Female,
    double AgeMedian,
    int AgeMin,
    int AgeMax,
    int AgeOver65,
    int CeaBelow5,
    int Cea5To199,
    int CeaAtLeast200,
    int Ca199AtLeast200,
    int RiskScore3To5,
    int RightSided,
    int MetastasesAtLeast3,
    int SizeAtLeast5Cm,
    int Bilobar,
    double SuvMaxMean,
    double SuvMaxSd,
    double? PkmMean,
    double? PkmSd,
    double? Glut1Mean,
    double? Glut1Sd,
    int Responders)
{
    /// <summary>
    /// Table 1 of the paper (eClinicalMedicine 2023). The external cohort's CEA row prints 17 (9.8%) for >= 200 ng/ml;
    /// its counts (19 + 66 + 17 = 102) are taken as right and the percentage as the misprint.
    /// </summary>
    public static IReadOnlyList<CohortTarget> Paper { get; } =
    [
        new("training", CohortKind.Training, 103, 33, 58, 30, 75, 22, 15, 54, 34, 48, 89, 37, 93, 34, 87, 11.9, 7.8, null, null, null, null, 49),
        new("internal-validation", CohortKind.InternalValidation, 65, 22, 58, 31, 81, 14, 14, 35, 16, 31, 54, 20, 54, 24, 55, 11.8, 5.2, null, null, null, null, 27),
        new("histology", CohortKind.Histology, 82, 27, 59, 30, 82, 19, 17, 48, 17, 29, 70, 25, 75, 28, 69, 12.3, 8.1, 11.7, 4.9, 11.2, 3.7, 39),
        new("external-validation", CohortKind.ExternalValidation, 102, 32, 60, 29, 78, 34, 19, 66, 17, 46, 87, 31, 77, 33, 74, 11.1, 5.2, 12.9, 5.2, 10.6, 4.3, 46),
        new("negative-validation", CohortKind.NegativeControl, 37, 10, 61, 29, 72, 10, 5, 20, 12, 17, 31, 13, 31, 14, 28, 12.3, 5.0, 12.3, 8.6, 11.6, 5.0, 11),
    ];

    public static CohortTarget Get(string code) => Paper.Single(t => t.Code == code);
}
