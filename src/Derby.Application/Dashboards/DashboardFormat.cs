using System.Globalization;
using Derby.Statistics;

namespace Derby.Application.Dashboards;

/// <summary>
/// How the dashboard writes its numbers for people (the page, the printable report and the PDF): one place, so that the
/// report and the page agree character for character. Invariant culture throughout.
/// </summary>
public static class DashboardFormat
{
    /// <summary>Three decimals, invariant; a dash for none (or not finite).</summary>
    public static string Number(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>A p-value: "&lt; 0.001", else three decimals.</summary>
    public static string P(double p) => p < 0.001 ? "< 0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>An estimate with its interval: "0.812 (0.701–0.902)".</summary>
    public static string WithInterval(double estimate, double lower, double upper) => $"{Number(estimate)} ({Number(lower)}–{Number(upper)})";

    /// <summary>An AUC with its DeLong CI, or why it cannot be estimated.</summary>
    public static string Auc(Estimate<AucEstimate> auc)
    {
        ArgumentNullException.ThrowIfNull(auc);
        return auc.Value is { } a ? WithInterval(a.Auc, a.Lower, a.Upper) : auc.Reason ?? "";
    }

    /// <summary>
    /// A proportion of Table 2 with its Clopper-Pearson CI; when there is none: a dash if the whole row has a reason (shown
    /// in the AUC cell), else "not estimable (no patients in the denominator)".
    /// </summary>
    public static string Proportion(ProportionEstimate? p, string? reason) =>
        p is null ? reason is null ? "not estimable (no patients in the denominator)" : "–" : WithInterval(p.Estimate, p.Lower, p.Upper);

    /// <summary>A paired DeLong test of DERBY against DERBY+, with Z, or why not.</summary>
    public static string DeLong(Estimate<PairedAucTest> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return test.Value is { } d
            ? $"AUC {Number(d.Comparison.Auc1)} vs {Number(d.Comparison.Auc2)} on {d.Patients} patients, Z = {Number(d.Comparison.Z)}, p = {P(d.Comparison.P)}"
            : test.Reason ?? "";
    }

    /// <summary>A paired DeLong test of the model against a signature, or why not.</summary>
    public static string SignatureTest(Estimate<PairedAucTest> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return test.Value is { } t ? $"AUC {Number(t.Comparison.Auc1)} vs {Number(t.Comparison.Auc2)} on {t.Patients} patients, p = {P(t.Comparison.P)}" : test.Reason ?? "";
    }

    /// <summary>The Hosmer-Lemeshow test, or why not.</summary>
    public static string HosmerLemeshow(CalibrationView calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        return calibration.HosmerLemeshow is { } hl ? $"χ² = {Number(hl.ChiSquare)} (df {hl.DegreesOfFreedom}), p = {P(hl.P)}" : calibration.HosmerLemeshowReason ?? "";
    }

    /// <summary>The log-rank test, or why not.</summary>
    public static string LogRank(SurvivalView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.LogRank.Value is { } lr ? $"p = {P(lr.P)}" : view.LogRank.Reason ?? "";
    }

    /// <summary>The Cox hazard ratio of predicted responders with its CI and p, or why not.</summary>
    public static string HazardRatio(SurvivalView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.HazardRatio.Value is { } hr ? $"{WithInterval(hr.HazardRatio, hr.HazardRatioLower, hr.HazardRatioUpper)}, p = {P(hr.P)}" : view.HazardRatio.Reason ?? "";
    }

    /// <summary>A rate with its count: "12/30 = 0.400 (0.227–0.594)", or why not.</summary>
    public static string Rate(int events, int patients, Estimate<ProportionEstimate> rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        return rate.Value is { } r ? $"{events}/{patients} = {Proportion(r, null)}" : rate.Reason ?? "";
    }

    /// <summary>The text of a Table 1 cell as the paper writes it: "33 (32.0%)", "11.9 ± 7.8" or "58 (30–75)"; [of n] when values are missing.</summary>
    public static string Cell(string row, CharacteristicCell cell, int patients)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var of = cell.Known < patients ? $" [of {cell.Known}]" : "";
        if (cell.Count is { } count)
        {
            return cell.Percent is { } percent ? $"{count} ({percent.ToString("0.0", CultureInfo.InvariantCulture)}%){of}" : "–";
        }

        if (cell.Known == 0)
        {
            return "–";
        }

        return row == CohortCharacteristicsBuilder.MedianRange
            ? $"{One(cell.Median)} ({One(cell.Min)}–{One(cell.Max)}){of}"
            : $"{One(cell.Mean)} ± {One(cell.Sd)}{of}";
    }

    /// <summary>A Table 1 test cell: its p-value, "n.e." when not estimable, empty when there is no test.</summary>
    public static string CharacteristicP(CharacteristicTest? test) => test is null ? "" : test.P is { } p ? P(p) : "n.e.";

    private static string One(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "–";
}
