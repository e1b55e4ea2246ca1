using Derby.Application.Common;
using Derby.Application.Patients;
using Derby.Domain;

namespace Derby.Application.Imports;

/// <summary>
/// The CSV formats a site can import: one per table. The synthetic study generator writes exactly these, and
/// the import page documents them from here.
/// </summary>
public sealed class ImportFormat
{
    private readonly Func<RowReader, string, ParsedRow?> parse;

    private ImportFormat(ImportKind kind, string title, string fileName, IReadOnlyList<ImportColumn> columns, Func<RowReader, string, ParsedRow?> parse)
    {
        Kind = kind;
        Title = title;
        FileName = fileName;
        Columns = columns;
        this.parse = parse;
    }

    public ImportKind Kind { get; }

    public string Title { get; }

    /// <summary>Conventional file name, e.g. "clinical.csv".</summary>
    public string FileName { get; }

    public IReadOnlyList<ImportColumn> Columns { get; }

    public string HeaderLine => string.Join(',', Columns.Select(c => c.Name));

    public const string PseudonymColumn = "pseudonym";

    /// <summary>Parses and checks one row; returns null (and adds errors) when the row is refused.</summary>
    public ParsedRow? Parse(RowReader reader, string siteCode, List<ImportError> errors)
    {
        var before = errors.Count;
        var row = parse(reader, siteCode);
        return errors.Count == before ? row : null;
    }

    public static ImportFormat Get(ImportKind kind) => kind switch
    {
        ImportKind.Patients => Patients,
        ImportKind.Clinical => Clinical,
        ImportKind.Ihc => Ihc,
        ImportKind.Outcomes => Outcomes,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown import kind"),
    };

    public static IReadOnlyList<ImportFormat> All => [Patients, Clinical, Ihc, Outcomes];

    public static ImportKind? ParseKind(string? text) => text?.ToLowerInvariant() switch
    {
        "patients" => ImportKind.Patients,
        "clinical" => ImportKind.Clinical,
        "ihc" => ImportKind.Ihc,
        "outcomes" => ImportKind.Outcomes,
        _ => null,
    };

    public static readonly IReadOnlyDictionary<string, TreatmentArm> TreatmentArms = new Dictionary<string, TreatmentArm>
    {
        ["folfox_bevacizumab"] = TreatmentArm.FolfoxBevacizumab,
        ["folfox"] = TreatmentArm.FolfoxAlone,
    };

    public static readonly IReadOnlyDictionary<string, PrimarySite> PrimarySites = new Dictionary<string, PrimarySite>
    {
        ["left"] = PrimarySite.Left,
        ["right"] = PrimarySite.Right,
    };

    public static readonly IReadOnlyDictionary<string, LiverDistribution> Distributions = new Dictionary<string, LiverDistribution>
    {
        ["unilobar"] = LiverDistribution.Unilobar,
        ["bilobar"] = LiverDistribution.Bilobar,
    };

    public static readonly IReadOnlyDictionary<string, Sex> Sexes = new Dictionary<string, Sex>
    {
        ["f"] = Sex.Female,
        ["m"] = Sex.Male,
    };

    public static readonly IReadOnlyDictionary<string, RecistResponse> Responses = new Dictionary<string, RecistResponse>
    {
        ["cr"] = RecistResponse.CompleteResponse,
        ["pr"] = RecistResponse.PartialResponse,
        ["sd"] = RecistResponse.StableDisease,
        ["pd"] = RecistResponse.ProgressiveDisease,
    };

    private static readonly ImportColumn Pseudonym = new(PseudonymColumn, true, "The patient's pseudonym, SITE-CODE (e.g. ZSH-T0001)");

    public static ImportFormat Patients { get; } = new(ImportKind.Patients, "Patients", "patients.csv",
        [
            Pseudonym,
            new("treatment_arm", true, "folfox_bevacizumab or folfox"),
            new("cohorts", false, "Cohort codes separated by ';' (e.g. training;histology); empty for none"),
        ],
        (r, site) =>
        {
            var pseudonym = PseudonymOf(r, site);
            var input = new PatientInput
            {
                Pseudonym = pseudonym,
                TreatmentArm = r.Choice("treatment_arm", "Treatment arm", TreatmentArms),
                CohortCodes = (r.Text("cohorts") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(c => c.ToLowerInvariant()).Distinct().ToList(),
            };
            if (input.TreatmentArm is null && !r.FailedColumns.Contains("treatment_arm"))
            {
                r.Error("treatment_arm", "Treatment arm is required (folfox_bevacizumab or folfox)");
            }

            return pseudonym is null ? null : new PatientRow(r.Line, pseudonym, input);
        });

    public static ImportFormat Clinical { get; } = new(ImportKind.Clinical, "Clinical data", "clinical.csv",
        [
            Pseudonym,
            new(PatientRules.SuvMax.Field, false, "Highest lesion SUVmax (body weight); may be left empty and filled from segmentation"),
            new(PatientRules.ClinicalRiskScore.Field, true, "Fong clinical risk score, 0-5"),
            new(PatientRules.Cea.Field, true, "Pre-operative CEA, ng/ml"),
            new(PatientRules.Ca199.Field, true, "Pre-operative CA19-9, U/ml"),
            new("primary_site", true, "left or right"),
            new(PatientRules.LiverMetastases.Field, true, "Number of liver metastases"),
            new(PatientRules.LargestDiameter.Field, true, "Largest diameter of the liver metastases, cm"),
            new("distribution", true, "unilobar or bilobar"),
            new(PatientRules.Age.Field, true, "Age in years at baseline (90 for 90 or older)"),
            new("sex", true, "F or M"),
        ],
        (r, site) =>
        {
            var pseudonym = PseudonymOf(r, site);
            var input = new ClinicalInput
            {
                SuvMax = r.Number(PatientRules.SuvMax),
                ClinicalRiskScore = r.Integer(PatientRules.ClinicalRiskScore),
                CeaNgPerMl = r.Number(PatientRules.Cea),
                Ca199UPerMl = r.Number(PatientRules.Ca199),
                PrimarySite = r.Choice("primary_site", "Primary site", PrimarySites),
                LiverMetastasisCount = r.Integer(PatientRules.LiverMetastases),
                LargestDiameterCm = r.Number(PatientRules.LargestDiameter),
                Distribution = r.Choice("distribution", "Distribution", Distributions),
                AgeYears = r.Integer(PatientRules.Age),
                Sex = r.Choice("sex", "Sex", Sexes),
            };
            Report(r, PatientRules.Validate(input));
            return pseudonym is null ? null : new ClinicalRow(r.Line, pseudonym, input);
        });

    public static ImportFormat Ihc { get; } = new(ImportKind.Ihc, "IHC scores", "ihc.csv",
        [
            Pseudonym,
            new(PatientRules.Glut1.Field, true, "GLUT1 IHC score of the colonoscopy biopsy"),
            new(PatientRules.Pkm.Field, true, "PKM IHC score of the colonoscopy biopsy"),
            new("glut1_antibody", false, "GLUT1 antibody clone"),
            new("pkm_antibody", false, "PKM antibody clone"),
            new("analysis_method", false, "Analysis software and method, e.g. HALO 3.3 H-score"),
        ],
        (r, site) =>
        {
            var pseudonym = PseudonymOf(r, site);
            var input = new BiopsyInput
            {
                Glut1Score = r.Number(PatientRules.Glut1),
                PkmScore = r.Number(PatientRules.Pkm),
                Glut1Antibody = r.Text("glut1_antibody"),
                PkmAntibody = r.Text("pkm_antibody"),
                AnalysisMethod = r.Text("analysis_method"),
            };
            Report(r, PatientRules.Validate(input));
            return pseudonym is null ? null : new BiopsyRow(r.Line, pseudonym, input);
        });

    public static ImportFormat Outcomes { get; } = new(ImportKind.Outcomes, "Outcomes", "outcomes.csv",
        [
            Pseudonym,
            new("best_response", true, "Best RECIST 1.1 response: CR, PR, SD or PD"),
            new(PatientRules.PfsMonths.Field, true, "Progression-free survival, months"),
            new("pfs_event", true, "1 = progression or death observed, 0 = censored"),
            new(PatientRules.OsMonths.Field, true, "Overall survival, months"),
            new("os_event", true, "1 = death observed, 0 = censored"),
            new("liver_resection", true, "1 = liver metastases resected after conversion therapy, 0 = not"),
        ],
        (r, site) =>
        {
            var pseudonym = PseudonymOf(r, site);
            var input = new OutcomeInput
            {
                BestResponse = r.Choice("best_response", "Best response", Responses),
                PfsMonths = r.Number(PatientRules.PfsMonths),
                PfsEvent = r.Flag("pfs_event", "PFS event"),
                OsMonths = r.Number(PatientRules.OsMonths),
                OsEvent = r.Flag("os_event", "OS event"),
                LiverResection = r.Flag("liver_resection", "Liver resection"),
            };
            Report(r, PatientRules.Validate(input));
            return pseudonym is null ? null : new OutcomeRow(r.Line, pseudonym, input);
        });

    private static string? PseudonymOf(RowReader r, string siteCode)
    {
        var pseudonym = r.Text(PseudonymColumn);
        if (PatientRules.CheckPseudonym(pseudonym, siteCode) is { } message)
        {
            r.Error(PseudonymColumn, message);
            return null;
        }

        return pseudonym;
    }

    private static void Report(RowReader r, List<FieldError> errors)
    {
        foreach (var e in errors.Where(e => !r.FailedColumns.Contains(e.Field)))
        {
            r.Error(e.Field, e.Message);
        }
    }
}
