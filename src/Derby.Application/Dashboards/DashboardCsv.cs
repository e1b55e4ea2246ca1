using System.Globalization;
using System.Text;

namespace Derby.Application.Dashboards;

/// <summary>Every table of a dashboard as CSV (invariant numbers, one row per cohort, site and item; empty cells with the reason where not estimable).</summary>
public static class DashboardCsv
{
    /// <summary>The tables that can be downloaded.</summary>
    public static readonly IReadOnlyList<string> Tables = ["characteristics", "characteristics-tests", "performance", "comparison", "survival", "at-risk", "rates", "calibration", "decision-curve", "roc", "waterfall"];

    /// <summary>The named table; null when there is no such table.</summary>
    public static string? Write(StudyDashboard dashboard, string table)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        var rows = new List<IReadOnlyList<object?>>();
        IReadOnlyList<string> header;
        switch (table)
        {
            case "characteristics":
                header = ["variable", "summary", "row", "cohort", "known", "count", "percent", "mean", "sd", "median", "min", "max"];
                foreach (var v in dashboard.Characteristics.Variables)
                {
                    foreach (var r in v.Rows)
                    {
                        foreach (var c in r.Cells)
                        {
                            rows.Add([v.Name, v.Summary, r.Label, c.Cohort, c.Known, c.Count, c.Percent, c.Mean, c.Sd, c.Median, c.Min, c.Max]);
                        }
                    }
                }

                break;
            case "characteristics-tests":
                header = ["variable", "cohort", "reference", "test", "statistic", "p", "not_estimable"];
                foreach (var v in dashboard.Characteristics.Variables)
                {
                    foreach (var t in v.Tests)
                    {
                        rows.Add([v.Name, t.Cohort, dashboard.Characteristics.Reference, t.Test, t.Statistic, t.P, t.Reason]);
                    }
                }

                break;
            case "performance":
                header = ["cohort", "site", "model", "version", "patients", "responders", "threshold", "auc", "auc_lower", "auc_upper", "sensitivity", "sensitivity_lower",
                    "sensitivity_upper", "specificity", "specificity_lower", "specificity_upper", "ppv", "ppv_lower", "ppv_upper", "npv", "npv_lower", "npv_upper", "not_estimable"];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var r in s.Performance)
                    {
                        var a = r.Accuracy.Value;
                        rows.Add([s.Cohort, s.Site, r.Model, r.Version, r.Patients, r.Responders, r.Threshold, r.Auc.Value?.Auc, r.Auc.Value?.Lower, r.Auc.Value?.Upper,
                            a?.Sensitivity?.Estimate, a?.Sensitivity?.Lower, a?.Sensitivity?.Upper, a?.Specificity?.Estimate, a?.Specificity?.Lower, a?.Specificity?.Upper,
                            a?.PositivePredictiveValue?.Estimate, a?.PositivePredictiveValue?.Lower, a?.PositivePredictiveValue?.Upper,
                            a?.NegativePredictiveValue?.Estimate, a?.NegativePredictiveValue?.Lower, a?.NegativePredictiveValue?.Upper, r.Auc.Reason ?? r.Accuracy.Reason]);
                    }
                }

                break;
            case "comparison":
                header = ["cohort", "site", "model_1", "model_2", "patients", "auc_1", "auc_2", "z", "p", "not_estimable"];
                foreach (var s in dashboard.Sections)
                {
                    var d = s.DeLong.Value;
                    rows.Add([s.Cohort, s.Site, "DERBY", "DERBY+", d?.Patients, d?.Comparison.Auc1, d?.Comparison.Auc2, d?.Comparison.Z, d?.Comparison.P, s.DeLong.Reason]);
                    foreach (var c in s.SignatureComparisons)
                    {
                        var t = c.Test.Value;
                        rows.Add([s.Cohort, s.Site, c.Model, c.Signature, t?.Patients, t?.Comparison.Auc1, t?.Comparison.Auc2, t?.Comparison.Z, t?.Comparison.P, c.Test.Reason]);
                    }
                }

                break;
            case "survival":
                header = ["cohort", "site", "endpoint", "group", "patients", "events", "median", "median_lower", "median_upper", "log_rank_chisq", "log_rank_p", "hazard_ratio",
                    "hazard_ratio_lower", "hazard_ratio_upper", "cox_p", "not_estimable"];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var e in new[] { ("PFS", s.Pfs), ("OS", s.Os) })
                    {
                        if (e.Item2.Value is not { } v)
                        {
                            rows.Add([s.Cohort, s.Site, e.Item1, null, null, null, null, null, null, null, null, null, null, null, null, e.Item2.Reason]);
                            continue;
                        }

                        foreach (var c in v.Curves)
                        {
                            rows.Add([s.Cohort, s.Site, e.Item1, c.Group, c.Count, c.Events, c.Median, c.MedianLower, c.MedianUpper, v.LogRank.Value?.ChiSquare, v.LogRank.Value?.P,
                                v.HazardRatio.Value?.HazardRatio, v.HazardRatio.Value?.HazardRatioLower, v.HazardRatio.Value?.HazardRatioUpper, v.HazardRatio.Value?.P,
                                v.LogRank.Reason ?? v.HazardRatio.Reason]);
                        }
                    }
                }

                break;
            case "at-risk":
                header = ["cohort", "site", "endpoint", "group", .. DashboardService.RiskTimes.Select(t => $"month_{t.ToString(CultureInfo.InvariantCulture)}")];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var v in new[] { s.Pfs.Value, s.Os.Value }.Where(v => v is not null))
                    {
                        foreach (var r in v!.AtRisk)
                        {
                            rows.Add([s.Cohort, s.Site, v.Endpoint, r.Group, .. r.AtRisk.Cast<object?>()]);
                        }
                    }
                }

                break;
            case "rates":
                header = ["cohort", "site", "group", "patients", "responses", "orr", "orr_lower", "orr_upper", "resections", "resection_rate", "resection_lower", "resection_upper",
                    "not_estimable"];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var r in s.Rates)
                    {
                        rows.Add([s.Cohort, s.Site, r.Group, r.Patients, r.Responses, r.ResponseRate.Value?.Estimate, r.ResponseRate.Value?.Lower, r.ResponseRate.Value?.Upper,
                            r.Resections, r.ResectionRate.Value?.Estimate, r.ResectionRate.Value?.Lower, r.ResectionRate.Value?.Upper, r.ResponseRate.Reason]);
                    }
                }

                break;
            case "calibration":
                header = ["cohort", "site", "bin", "count", "mean_predicted", "observed", "brier", "hosmer_lemeshow_chisq", "hosmer_lemeshow_df", "hosmer_lemeshow_p", "not_estimable"];
                foreach (var s in dashboard.Sections)
                {
                    var c = s.Calibration.Value;
                    if (c is null || c.Bins.Count == 0)
                    {
                        rows.Add([s.Cohort, s.Site, null, null, null, null, c?.Brier, null, null, null, s.Calibration.Reason ?? c?.HosmerLemeshowReason]);
                        continue;
                    }

                    for (var i = 0; i < c.Bins.Count; i++)
                    {
                        rows.Add([s.Cohort, s.Site, i + 1, c.Bins[i].Count, c.Bins[i].MeanPredicted, c.Bins[i].Observed, c.Brier, c.HosmerLemeshow?.ChiSquare,
                            c.HosmerLemeshow?.DegreesOfFreedom, c.HosmerLemeshow?.P, c.HosmerLemeshowReason]);
                    }
                }

                break;
            case "decision-curve":
                header = ["cohort", "site", "threshold", "net_benefit", "treat_all", "treat_none"];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var p in s.DecisionCurve.Value?.Points ?? [])
                    {
                        rows.Add([s.Cohort, s.Site, p.Threshold, p.NetBenefit, p.NetBenefitTreatAll, 0.0]);
                    }
                }

                break;
            case "roc":
                header = ["cohort", "site", "model", "threshold", "sensitivity", "specificity"];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var r in s.Roc)
                    {
                        foreach (var p in r.Points)
                        {
                            rows.Add([s.Cohort, s.Site, r.Model, p.Threshold, p.Sensitivity, p.Specificity]);
                        }
                    }
                }

                break;
            case "waterfall":
                header = ["cohort", "site", "patient", "trs", "best_response", "responder", "predicted_responder"];
                foreach (var s in dashboard.Sections)
                {
                    foreach (var b in s.Waterfall)
                    {
                        rows.Add([s.Cohort, s.Site, b.Pseudonym, b.Trs, b.BestResponse, b.Responder, b.PredictedResponder]);
                    }
                }

                break;
            default:
                return null;
        }

        var text = new StringBuilder();
        text.AppendLine(string.Join(',', header.Select(Cell)));
        foreach (var row in rows)
        {
            text.AppendLine(string.Join(',', row.Select(Cell)));
        }

        return text.ToString();
    }

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
