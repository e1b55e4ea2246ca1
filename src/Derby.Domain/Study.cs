namespace Derby.Domain;

/// <summary>A multi-centre study: the sites that contribute patients and the cohorts they are analysed in.</summary>
public sealed class Study
{
    public int Id { get; set; }

    /// <summary>Short unique code, e.g. "DERBY".</summary>
    public required string Code { get; set; }

    public required string Title { get; set; }

    /// <summary>What the DICOM gate does with identifying attributes: refuse the upload (the default) or scrub them.</summary>
    public DeidentificationPolicy Deidentification { get; set; } = DeidentificationPolicy.Reject;

    public List<Site> Sites { get; } = [];

    public List<Cohort> Cohorts { get; } = [];
}
