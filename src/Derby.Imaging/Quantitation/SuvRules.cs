namespace Derby.Imaging.Quantitation;

/// <summary>
/// Stable codes naming the branch of the QIBA vendor-neutral SUVbw pseudo-code that produced a factor. Stored with
/// results, so never rename one; add a new code for a new branch.
/// </summary>
public static class SuvRules
{
    /// <summary>BQML decay-corrected to scan start; scan start is Series Date/Time (not after the earliest acquisition).</summary>
    public const string BqmlStartSeriesTime = "bqml-start-series-time";

    /// <summary>BQML, START; Series Time is after the earliest acquisition and there is no GE private scan time: earliest Acquisition Date/Time.</summary>
    public const string BqmlStartAcquisitionTime = "bqml-start-acquisition-time";

    /// <summary>BQML, START; Series Time is after the earliest acquisition: GE private (0009,xx0D) "GEMS_PETD_01".</summary>
    public const string BqmlStartGePostInjection = "bqml-start-ge-post-injection";

    /// <summary>BQML decay-corrected to administration: the dose is not decayed again (factor = weight / dose).</summary>
    public const string BqmlAdmin = "bqml-admin";

    /// <summary>Philips CNTS with the private SUV Scale Factor (7053,xx00): the factor is taken as written.</summary>
    public const string CntsPhilipsPrivate = "cnts-philips-private";

    /// <summary>Philips CNTS with only the Activity Concentration Scale Factor (7053,xx09): counts to Bq/ml, then as BQML.</summary>
    public const string CntsPhilipsActivityConcentration = "cnts-philips-activity-concentration";

    /// <summary>GML: values are already SUVbw (g/ml); factor 1.</summary>
    public const string Gml = "gml";
}
