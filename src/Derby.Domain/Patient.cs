namespace Derby.Domain;

/// <summary>
/// A study participant, known only by a pseudonym. By design there is no field for a name, birth date,
/// hospital number or any other direct identifier.
/// </summary>
public sealed class Patient
{
    public Guid Id { get; set; }

    public int SiteId { get; set; }

    public Site? Site { get; set; }

    /// <summary>Study-wide unique pseudonym, "{SITE}-{code}", e.g. "ZSH-T0001".</summary>
    public required string Pseudonym { get; set; }

    public TreatmentArm TreatmentArm { get; set; }

    public DateTime CreatedUtc { get; set; }

    public List<CohortMembership> Cohorts { get; } = [];

    public ClinicalRecord? Clinical { get; set; }

    public BiopsyScores? Biopsy { get; set; }

    public Outcome? Outcome { get; set; }

    public List<ImagingSeries> Series { get; } = [];
}
