namespace Derby.Domain;

/// <summary>An analysis cohort. Cohorts span sites, and a patient may belong to several (the histology cohort overlaps).</summary>
public sealed class Cohort
{
    public int Id { get; set; }

    public int StudyId { get; set; }

    public Study? Study { get; set; }

    /// <summary>Lower-case code used in files and URLs, e.g. "training".</summary>
    public required string Code { get; set; }

    public required string Name { get; set; }

    public CohortKind Kind { get; set; }

    public string? Description { get; set; }

    public List<CohortMembership> Members { get; } = [];
}
