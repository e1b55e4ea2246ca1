using Derby.Domain;

namespace Derby.Application.Patients;

/// <summary>Clinical data as entered: every field nullable so that "missing" can be reported, not defaulted.</summary>
public sealed class ClinicalInput
{
    public double? SuvMax { get; set; }

    /// <summary>Where the stored SUVmax came from (shown, never taken from the input).</summary>
    public SuvMaxSource? SuvMaxSource { get; set; }

    /// <summary>The accepted lesion the stored SUVmax is from, when it came from segmentation (shown only).</summary>
    public Guid? SuvMaxLesionId { get; set; }
    public int? ClinicalRiskScore { get; set; }
    public double? CeaNgPerMl { get; set; }
    public double? Ca199UPerMl { get; set; }
    public PrimarySite? PrimarySite { get; set; }
    public int? LiverMetastasisCount { get; set; }
    public double? LargestDiameterCm { get; set; }
    public LiverDistribution? Distribution { get; set; }
    public int? AgeYears { get; set; }
    public Sex? Sex { get; set; }

    public static ClinicalInput From(ClinicalRecord r) => new()
    {
        SuvMax = r.SuvMax,
        SuvMaxSource = r.SuvMaxSource,
        SuvMaxLesionId = r.SuvMaxLesionId,
        ClinicalRiskScore = r.ClinicalRiskScore,
        CeaNgPerMl = r.CeaNgPerMl,
        Ca199UPerMl = r.Ca199UPerMl,
        PrimarySite = r.PrimarySite,
        LiverMetastasisCount = r.LiverMetastasisCount,
        LargestDiameterCm = r.LargestDiameterCm,
        Distribution = r.Distribution,
        AgeYears = r.AgeYears,
        Sex = r.Sex,
    };

    /// <summary>Copies validated values onto the record. Call only after <see cref="PatientRules.Validate(ClinicalInput)"/> passed.</summary>
    public void ApplyTo(ClinicalRecord r)
    {
        // A value typed or imported over the segmented one is the site's own: its provenance changes with it.
        if (SuvMax != r.SuvMax || r.SuvMaxSource == 0)
        {
            r.SuvMaxSource = Domain.SuvMaxSource.Entered;
            r.SuvMaxLesionId = null;
        }

        r.SuvMax = SuvMax;
        r.ClinicalRiskScore = ClinicalRiskScore!.Value;
        r.CeaNgPerMl = CeaNgPerMl!.Value;
        r.Ca199UPerMl = Ca199UPerMl!.Value;
        r.PrimarySite = PrimarySite!.Value;
        r.LiverMetastasisCount = LiverMetastasisCount!.Value;
        r.LargestDiameterCm = LargestDiameterCm!.Value;
        r.Distribution = Distribution!.Value;
        r.AgeYears = AgeYears!.Value;
        r.Sex = Sex!.Value;
    }
}

public sealed class BiopsyInput
{
    public double? Glut1Score { get; set; }
    public double? PkmScore { get; set; }
    public string? Glut1Antibody { get; set; }
    public string? PkmAntibody { get; set; }
    public string? AnalysisMethod { get; set; }

    public static BiopsyInput From(BiopsyScores b) => new()
    {
        Glut1Score = b.Glut1Score,
        PkmScore = b.PkmScore,
        Glut1Antibody = b.Glut1Antibody,
        PkmAntibody = b.PkmAntibody,
        AnalysisMethod = b.AnalysisMethod,
    };

    public void ApplyTo(BiopsyScores b)
    {
        b.Glut1Score = Glut1Score!.Value;
        b.PkmScore = PkmScore!.Value;
        b.Glut1Antibody = Blank(Glut1Antibody);
        b.PkmAntibody = Blank(PkmAntibody);
        b.AnalysisMethod = Blank(AnalysisMethod);
    }

    private static string? Blank(string? s) => PatientRules.CleanText(s);
}

public sealed class OutcomeInput
{
    public RecistResponse? BestResponse { get; set; }
    public double? PfsMonths { get; set; }
    public bool? PfsEvent { get; set; }
    public double? OsMonths { get; set; }
    public bool? OsEvent { get; set; }
    public bool? LiverResection { get; set; }

    public static OutcomeInput From(Outcome o) => new()
    {
        BestResponse = o.BestResponse,
        PfsMonths = o.PfsMonths,
        PfsEvent = o.PfsEvent,
        OsMonths = o.OsMonths,
        OsEvent = o.OsEvent,
        LiverResection = o.LiverResection,
    };

    public void ApplyTo(Outcome o)
    {
        o.BestResponse = BestResponse!.Value;
        o.PfsMonths = PfsMonths!.Value;
        o.PfsEvent = PfsEvent!.Value;
        o.OsMonths = OsMonths!.Value;
        o.OsEvent = OsEvent!.Value;
        o.LiverResection = LiverResection!.Value;
    }
}

/// <summary>Registration of a patient at a site.</summary>
public sealed class PatientInput
{
    public string? Pseudonym { get; set; }
    public TreatmentArm? TreatmentArm { get; set; }

    /// <summary>Cohort codes, e.g. "training", "histology".</summary>
    public List<string> CohortCodes { get; set; } = [];
}
