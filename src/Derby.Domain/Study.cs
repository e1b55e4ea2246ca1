namespace Derby.Domain;

/// <summary>A multi-centre study: the sites that contribute patients and the cohorts they are analysed in.</summary>
public sealed class Study
{
    public int Id { get; set; }

    /// <summary>Short unique code, e.g. "DERBY".</summary>
    public required string Code { get; set; }

    public required string Title { get; set; }

    public List<Site> Sites { get; } = [];

    public List<Cohort> Cohorts { get; } = [];
}
