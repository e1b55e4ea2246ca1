using System.Globalization;
using System.Net;
using System.Text;
using Derby.Application.Dashboards;
using Derby.Application.Models;

namespace Derby.Application.Reports;

/// <summary>
/// The printable study report: one self-contained HTML document (inline CSS with print rules, no scripts, no external
/// resources, every figure an inline SVG drawn here) of a <see cref="StudyDashboard"/> and the provenance of its model
/// versions. Numbers are written by <see cref="DashboardFormat"/>, as on the interactive page, so the two agree; every
/// string from the data is HTML-encoded. Browsers print it to PDF as is; <c>derby report</c> prints it with chromium.
/// </summary>
public static class StudyReport
{
    /// <summary>Ids and titles of the sections every report has, in order (cohort sections come between Table 1 and the model figures).</summary>
    public static IReadOnlyList<(string Id, string Title)> FixedSections { get; } =
    [
        ("title-page", "Study report"),
        ("provenance", "Model provenance"),
        ("methods", "Methods"),
        ("table-1", "Cohort characteristics (Table 1)"),
        ("model-figures", "Model figures"),
    ];

    /// <summary>Titles of the parts of each cohort section, in order.</summary>
    public static IReadOnlyList<string> CohortParts { get; } =
    [
        "Model performance (Table 2)", "Paired DeLong tests", "ROC curves", "Calibration", "Decision curve", "Progression-free survival", "Overall survival",
        "TRS waterfall", "TRS by response", "Response and conversion to resection",
    ];

    /// <summary>The id of a cohort section: cohort-CODE-SITE (all: every site).</summary>
    public static string SectionId(CohortDashboard section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return $"cohort-{Slug(section.Cohort)}-{Slug(section.Site ?? "all")}";
    }

    /// <summary>The title of a cohort section: "External validation (all sites)" or "External validation · site ZSH".</summary>
    public static string SectionTitle(CohortDashboard section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return $"{section.Name} {(section.Site is null ? "(all sites)" : $"· site {section.Site}")}";
    }

    /// <summary>The report of a dashboard; <paramref name="provenance"/>: the model versions it shows (chosen version first).</summary>
    public static string Html(StudyDashboard dashboard, IReadOnlyList<ModelProvenance> provenance, DateTime generatedUtc)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(provenance);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>{E($"DERBY study report · {dashboard.ModelVersion ?? "no model"}")}</title>");
        html.Append("<style>").Append(Css).Append("</style></head><body>\n");
        TitlePage(html, dashboard, generatedUtc);
        Provenance(html, dashboard, provenance);
        Methods(html, dashboard);
        Characteristics(html, dashboard.Characteristics);
        foreach (var section in dashboard.Sections)
        {
            Cohort(html, dashboard, section);
        }

        Figures(html, dashboard);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private const string Css = """
        @page { size: A4; margin: 14mm 12mm; }
        @page cohort { size: A4 landscape; margin: 12mm 12mm; }
        body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #212121; margin: 0 auto; }
        section.cohort { page: cohort; }
        h1 { font-size: 20pt; margin: 0 0 4mm; }
        h2 { font-size: 14pt; border-bottom: 1px solid #9e9e9e; padding-bottom: 1mm; margin: 6mm 0 3mm; }
        h3 { font-size: 11pt; margin: 4mm 0 2mm; }
        section.report-section { break-before: page; page-break-before: always; }
        section.report-section:first-of-type { break-before: auto; page-break-before: auto; }
        .part, figure, table, .figures { break-inside: avoid; page-break-inside: avoid; }
        table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 8.5pt; }
        th, td { border: 1px solid #bdbdbd; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
        th { background: #f5f5f5; }
        td.indent { padding-left: 5mm; }
        td.num { white-space: nowrap; }
        section.cohort .part.fig { display: inline-block; width: 32.5%; vertical-align: top; }
        sup { font-size: 7pt; }
        dl { display: grid; grid-template-columns: 48mm auto; gap: 0.8mm 3mm; font-size: 9pt; }
        dt { font-weight: bold; } dd { margin: 0; overflow-wrap: anywhere; }
        .note { font-size: 8.5pt; color: #616161; }
        .reason { font-style: italic; }
        figure { margin: 2mm 0; } svg { max-width: 100%; height: auto; }
        .figures { display: flex; flex-wrap: wrap; gap: 2mm; }
        .figures figure { flex: 1 1 85mm; }
        code { font-size: 8pt; overflow-wrap: anywhere; }
        @media screen { body { padding: 8mm; max-width: 270mm; } section.report-section { border-top: 3px solid #e0e0e0; margin-top: 10mm; } }
        @media print { a { color: inherit; text-decoration: none; } }
        """;

    private static void TitlePage(StringBuilder html, StudyDashboard d, DateTime generatedUtc)
    {
        var f = d.Filter;
        html.Append("<section class=\"report-section\" id=\"title-page\"><h1>DERBY / DERBY+ study report</h1><h2>Study report</h2><dl>");
        Item(html, "Model version", d.ModelVersion is null ? "none" : $"{d.ModelVersion} ({Kind(d.ModelKind)}), threshold {DashboardFormat.Number(d.Threshold)}");
        Item(html, "DERBY", d.DerbyVersion ?? "none active");
        Item(html, "DERBY+", d.DerbyPlusVersion ?? "none active");
        Item(html, "Cohort", f.Cohort ?? "every cohort");
        Item(html, "Site", f.Site ?? (f.BySite ? "every site, and each site apart" : "every site"));
        Item(html, "Registered", f.From is null && f.To is null ? "any date"
            : $"{f.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"} to {f.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"}");
        Item(html, "Statistics computed", d.ComputedUtc.ToString("u", CultureInfo.InvariantCulture));
        Item(html, "Report generated", generatedUtc.ToString("u", CultureInfo.InvariantCulture));
        Item(html, "Data version", d.DataVersion);
        html.Append("</dl>");
        if (d.Unavailable is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\" data-testid=\"unavailable\">{E(d.Unavailable)}</p>");
        }

        html.Append("<p class=\"note\">Contents: model provenance; methods; Table 1; per cohort");
        html.Append(f.BySite || f.Site is not null ? " and site" : "");
        html.Append(" Table 2, DeLong tests, ROC, calibration, decision curve, Kaplan-Meier PFS and OS, TRS waterfall and by response, response and resection rates; the model's figures.</p></section>\n");
    }

    private static void Provenance(StringBuilder html, StudyDashboard d, IReadOnlyList<ModelProvenance> provenance)
    {
        Open(html, "provenance", "Model provenance");
        if (provenance.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\">{E(d.Unavailable ?? "No trained model version is shown")}</p>");
        }

        foreach (var p in provenance)
        {
            var m = p.Manifest;
            var v = p.View;
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"part\" data-version=\"{E(m.Version)}\"><h3>{E(m.Version)} ({E(Kind(m.Kind))}){(m.Version == d.ModelVersion ? ", shown" : "")}</h3><dl>");
            Item(html, "Manifest SHA-256", v.ManifestSha256 ?? "");
            Item(html, "Status", $"{v.Status.ToString().ToLowerInvariant()}{(v.IsActive ? ", active" : "")}");
            Item(html, "Requested by", v.RequestedBy ?? "");
            Item(html, "Trained", v.TrainedUtc?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            Item(html, "Training cohort", m.Cohort);
            Item(html, "Patients, pairs", $"{m.Patients.Count} patients ({m.Patients.Count(x => x.Responder)} responders), {m.Forest.Rows} pairs; {m.Excluded.Count} left out");
            Item(html, "Network", $"{m.Network.Version}, checkpoint SHA-256 {m.Network.CheckpointSha256}");
            Item(html, "Gaussian mixture", $"K = {m.Mixture.K}, parameters SHA-256 {m.Mixture.ParametersSha256}");
            Item(html, "LASSO", $"{m.Lasso.Rule}: lambda {DashboardFormat.Number(m.Lasso.Lambda)} (lambda.min {DashboardFormat.Number(m.Lasso.LambdaMin)}, lambda.1se {DashboardFormat.Number(m.Lasso.Lambda1se)}); selected: {(m.Lasso.Selected.Count == 0 ? "none" : string.Join(", ", m.Lasso.Selected))}");
            Item(html, "Features", string.Join(", ", m.Columns));
            var o = m.Forest.Options;
            Item(html, "Random forest", string.Create(CultureInfo.InvariantCulture,
                $"{o.Trees} trees, at most {o.MaximumLeaves} leaves, at least {o.MinimumExamplesPerLeaf} pairs per leaf, bagging {m.Settings.BaggingFraction}, features per split {(m.Settings.FeatureFractionPerSplit?.ToString(CultureInfo.InvariantCulture) ?? "1/sqrt(d)")}; SHA-256 {m.Forest.Sha256}"));
            Item(html, "Seeds and folds", string.Create(CultureInfo.InvariantCulture, $"seed {m.Settings.Seed}, {m.Settings.Folds} LASSO folds"));
            Item(html, "Threshold", $"TRS ≥ {DashboardFormat.Number(m.Threshold)}: predicted responder");
            Item(html, "Signatures", string.Join("; ", m.Signatures.Select(s => s.Unavailable is null ? $"{s.Name} ({string.Join(", ", s.Columns)})" : $"{s.Name}: {s.Unavailable}")));
            Item(html, "Code version", m.CodeVersion);
            html.Append("</dl></div>");
        }

        html.Append("</section>\n");
    }

    private static void Methods(StringBuilder html, StudyDashboard d)
    {
        Open(html, "methods", "Methods");
        html.Append("""
            <p><b>Model.</b> As in the DERBY/DERBY+ paper: each liver lesion is enclosed in a region-of-interest box on the PET and segmented by
            adaptive-threshold region growing; the PET/CT series are reformulated into 2.5D image pairs (each PET slice with three geometrically
            corresponding CT slices). A ResNet-34 (CT, the three slices fused by a 1×1 convolution) and an EfficientNet-b3 (PET) compute each pair's
            features, concatenated and reduced by a Gaussian mixture model to the image feature F_img. LASSO regression (cross-validated,
            lambda.1se or lambda.min) selects the clinical factors F_clinic on the training cohort; DERBY+ adds the biopsy IHC scores (GLUT1, PKM).
            A random forest scores every pair from [F_img, F_clinic(, F_biopsy)]; a patient's therapy response score (TRS) is the ROI-size-weighted
            mean of its pairs' probabilities, and a TRS at or above the model's threshold makes a predicted responder.</p>
            <p><b>Statistics.</b> AUC with DeLong's 95% CI, and DeLong's paired test of two models on the patients both scored; sensitivity,
            specificity, PPV, NPV, objective response and conversion-to-resection rates with Clopper-Pearson (exact binomial) 95% CIs; calibration by
            the Brier score and the Hosmer-Lemeshow test (10 risk groups); decision curves (net benefit against treat-all and treat-none);
            Kaplan-Meier PFS and OS by predicted group with the number at risk, the log-rank test and the Cox proportional-hazards ratio of predicted
            responders (Wald CI); TRS of responders (CR/PR) against SD+PD by the Mann-Whitney test; Table 1 by Pearson's chi-square (Yates for
            2×2) and Mann-Whitney tests against the training cohort. A model's own training cohort is evaluated on its cross-validated TRS
            (patient-level folds), not on the scores of the final model. Only current (not stale) predictions are used. Values that cannot be
            estimated on these data (one class, no events, fewer than two per group) are shown with the reason.</p>
            """);
        html.Append(CultureInfo.InvariantCulture,
            $"<p><b>Source of the numbers.</b> Every number in this report comes from the same statistics engine and the same computed dashboard (data version <code>{E(d.DataVersion)}</code>) as the interactive PI dashboard, formatted identically (three decimals; p-values below 0.001 as \"&lt; 0.001\").</p>");
        html.Append("</section>\n");
    }

    private static void Characteristics(StringBuilder html, CohortCharacteristics table)
    {
        Open(html, "table-1", "Cohort characteristics (Table 1)");
        var others = table.Reference is null ? [] : table.Columns.Where(c => c.Cohort != table.Reference).ToList();
        var reasons = new List<string>();
        html.Append("<table data-testid=\"characteristics-table\"><thead><tr><th>Characteristic</th>");
        foreach (var c in table.Columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(c.Name)} (n = {c.Patients})</th>");
        }

        foreach (var c in others)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>p vs {E(table.Reference!)}: {E(c.Cohort)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var v in table.Variables)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td colspan=\"{table.Columns.Count + 1}\"><b>{E(v.Name)}</b>{(v.Summary == CohortCharacteristicsBuilder.CountPercent ? ", n (%)" : "")}</td>");
            foreach (var c in others)
            {
                var t = v.Tests.FirstOrDefault(x => x.Cohort == c.Cohort);
                var note = "";
                if (t?.Reason is { } why)
                {
                    // The reasons are long: numbered notes under the table keep the p columns narrow.
                    if (!reasons.Contains(why))
                    {
                        reasons.Add(why);
                    }

                    note = $"<sup>{reasons.IndexOf(why) + 1}</sup>";
                }

                html.Append(CultureInfo.InvariantCulture, $"<td>{E(DashboardFormat.CharacteristicP(t))}{note}</td>");
            }

            html.Append("</tr>");
            foreach (var r in v.Rows)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"indent\">{E(r.Label)}</td>");
                foreach (var cell in r.Cells)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<td>{E(DashboardFormat.Cell(r.Label, cell, table.Columns.First(c => c.Cohort == cell.Cohort).Patients))}</td>");
                }

                html.Append(others.Count == 0 ? "" : $"<td colspan=\"{others.Count}\"></td>").Append("</tr>");
            }
        }

        html.Append("</tbody></table>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(table.Note)} Known values fewer than the cohort's patients are shown as [of n]; n.e.: not estimable, for the numbered reason:</p>");
        if (reasons.Count > 0)
        {
            html.Append("<ol class=\"note\">");
            foreach (var why in reasons)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(why)}</li>");
            }

            html.Append("</ol>");
        }
        html.Append("</section>\n");
    }

    private static void Cohort(StringBuilder html, StudyDashboard d, CohortDashboard s)
    {
        html.Append(CultureInfo.InvariantCulture,
            $"<section class=\"report-section cohort\" id=\"{SectionId(s)}\" data-cohort=\"{E(s.Cohort)}\" data-site=\"{E(s.Site ?? "")}\"><h2>{E(SectionTitle(s))}</h2>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>{s.Members} members; {s.Evaluated} with an outcome and a score ({s.Responders} responders, CR/PR).{(s.Note is null ? "" : $" Note: {E(s.Note)}.")}</p>");

        Part(html, s, 0);
        html.Append("<table data-testid=\"performance-table\"><thead><tr><th>Model</th><th>Version</th><th>n (responders)</th><th>AUC (95% CI)</th><th>Sensitivity</th><th>Specificity</th><th>PPV</th><th>NPV</th></tr></thead><tbody>");
        foreach (var r in s.Performance)
        {
            var a = r.Accuracy.Value;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr data-model=\"{E(r.Model)}\"><td>{E(r.Model)}</td><td>{E(r.Version ?? "")}</td><td>{r.Patients} ({r.Responders})</td>{Td(DashboardFormat.Auc(r.Auc), r.Auc.IsEstimable)}" +
                $"{Td(DashboardFormat.Proportion(a?.Sensitivity, r.Accuracy.Reason), a?.Sensitivity is not null)}{Td(DashboardFormat.Proportion(a?.Specificity, r.Accuracy.Reason), a?.Specificity is not null)}" +
                $"{Td(DashboardFormat.Proportion(a?.PositivePredictiveValue, r.Accuracy.Reason), a?.PositivePredictiveValue is not null)}" +
                $"{Td(DashboardFormat.Proportion(a?.NegativePredictiveValue, r.Accuracy.Reason), a?.NegativePredictiveValue is not null)}</tr>");
        }

        html.Append("</tbody></table></div>");

        Part(html, s, 1);
        html.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"delong\">DERBY vs DERBY+ (paired DeLong): {E(DashboardFormat.DeLong(s.DeLong))}</p><ul>");
        foreach (var c in s.SignatureComparisons)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(c.Model)} vs {E(c.Signature)} (paired DeLong): {E(DashboardFormat.SignatureTest(c.Test))}</li>");
        }

        html.Append("</ul></div>");

        Part(html, s, 2);
        var roc = new SvgPlot("ROC (Fig. 4C)", "1 − specificity", "sensitivity", 0, 1, 0, 1, height: 320);
        var colour = 0;
        foreach (var r in s.Roc.Where(r => r.Points.Count > 0))
        {
            var points = r.Points.OrderBy(p => 1 - p.Specificity).ThenBy(p => p.Sensitivity).Select(p => (1 - p.Specificity, p.Sensitivity));
            roc.Line($"{r.Model} (AUC {DashboardFormat.Number(r.Auc)})", points, SvgPlot.Palette[colour++ % SvgPlot.Palette.Count]);
        }

        roc.Line("chance", [(0, 0), (1, 1)], "#9e9e9e", "2 3", inLegend: false);
        Figure(html, roc.Render("roc"));
        foreach (var r in s.Roc.Where(r => r.Reason is not null))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\">{E(r.Model)}: {E(r.Reason!)}</p>");
        }

        html.Append("</div>");

        Part(html, s, 3);
        if (s.Calibration.Value is { } cal)
        {
            var plot = new SvgPlot("Calibration", "mean TRS", "observed response", 0, 1, 0, 1);
            plot.Line("risk groups", cal.Bins.Select(b => (b.MeanPredicted, b.Observed)), SvgPlot.Palette[0]);
            plot.Points("risk group", cal.Bins.Select(b => (b.MeanPredicted, b.Observed)), SvgPlot.Palette[0], inLegend: false);
            plot.Line("ideal", [(0, 0), (1, 1)], "#9e9e9e", "2 3", inLegend: false);
            Figure(html, plot.Render("calibration"));
            html.Append(CultureInfo.InvariantCulture, $"<p data-testid=\"calibration\">Brier {DashboardFormat.Number(cal.Brier)}; Hosmer-Lemeshow {E(DashboardFormat.HosmerLemeshow(cal))}</p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\" data-testid=\"calibration\">Calibration: {E(s.Calibration.Reason ?? "")}</p>");
        }

        html.Append("</div>");

        Part(html, s, 4);
        if (s.DecisionCurve.Value is { } dca)
        {
            var benefit = dca.Points.SelectMany(p => new[] { p.NetBenefit, p.NetBenefitTreatAll, 0 }).ToList();
            var (low, high) = SvgPlot.Range(benefit);
            low = Math.Max(low, -0.25);
            var x = dca.Points.Select(p => p.Threshold).ToList();
            var plot = new SvgPlot("Decision curve (Fig. 6A)", "threshold probability", "net benefit", x.DefaultIfEmpty(0).Min(), x.DefaultIfEmpty(1).Max(), low, high);
            plot.Line(Kind(d.ModelKind), dca.Points.Select(p => (p.Threshold, p.NetBenefit)), SvgPlot.Palette[0]);
            plot.Line("treat all", dca.Points.Select(p => (p.Threshold, Math.Max(p.NetBenefitTreatAll, low))), "#616161", "5 3");
            plot.Line("treat none", x.Select(t => (t, 0.0)), "#000000");
            Figure(html, plot.Render("decision-curve"));
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\">Decision curve: {E(s.DecisionCurve.Reason ?? "")}</p>");
        }

        html.Append("</div>");

        Survival(html, s, 5, s.Pfs, "PFS");
        Survival(html, s, 6, s.Os, "OS");

        Part(html, s, 7);
        if (s.Waterfall.Count > 0)
        {
            var (low, high) = SvgPlot.Range(s.Waterfall.Select(b => b.Trs).Append(0).Append(1), 0);
            var plot = new SvgPlot("TRS waterfall (Fig. 4D-F): green CR/PR, amber SD, red PD", "patient", "TRS", 0.5, s.Waterfall.Count + 0.5, low, high, width: 680, height: 280)
                .WithXCategories(s.Waterfall.Count <= 40 ? s.Waterfall.Select((b, i) => (i + 1.0, b.Pseudonym)).ToList() : []);
            plot.Bars("TRS", s.Waterfall.Select((b, i) => (i + 1.0, b.Trs, ResponseColour(b.BestResponse))), 0.8);
            plot.Line($"threshold {DashboardFormat.Number(d.Threshold)}", [(0.5, d.Threshold), (s.Waterfall.Count + 0.5, d.Threshold)], "#212121", "4 3");
            Figure(html, plot.Render("waterfall"));
        }
        else
        {
            html.Append("<p class=\"reason\">TRS waterfall: no patients with an outcome and a current score</p>");
        }

        html.Append("</div>");

        Part(html, s, 8);
        if (s.TrsByResponse.Value is { } byResponse)
        {
            var plot = new SvgPlot($"TRS by response (Fig. 4G): Mann-Whitney p = {DashboardFormat.P(byResponse.MannWhitney.P)}", "", "TRS", 0.4, 2.6, 0, 1)
                .WithXCategories([(1, "CR/PR"), (2, "SD+PD")]);
            plot.Box("CR/PR", 1, byResponse.Responders, "#43a047");
            plot.Box("SD+PD", 2, byResponse.NonResponders, "#c62828");
            Figure(html, plot.Render("trs-by-response"));
            html.Append(CultureInfo.InvariantCulture,
                $"<p data-testid=\"trs-by-response\">CR/PR n = {byResponse.Responders.Count}, SD+PD n = {byResponse.NonResponders.Count}; Mann-Whitney W = {DashboardFormat.Number(byResponse.MannWhitney.Statistic)}, p = {DashboardFormat.P(byResponse.MannWhitney.P)}</p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\">TRS by response: {E(s.TrsByResponse.Reason ?? "")}</p>");
        }

        html.Append("</div>");

        Part(html, s, 9);
        html.Append("<table data-testid=\"rates-table\"><thead><tr><th>Group</th><th>n</th><th>ORR (95% CI)</th><th>Conversion-resection rate (95% CI)</th></tr></thead><tbody>");
        foreach (var r in s.Rates)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(r.Group)}</td><td>{r.Patients}</td>{Td(DashboardFormat.Rate(r.Responses, r.Patients, r.ResponseRate), r.ResponseRate.IsEstimable)}" +
                $"{Td(DashboardFormat.Rate(r.Resections, r.Patients, r.ResectionRate), r.ResectionRate.IsEstimable)}</tr>");
        }

        html.Append("</tbody></table></div></section>\n");
    }

    private static void Survival(StringBuilder html, CohortDashboard s, int part, Estimate<SurvivalView> estimate, string endpoint)
    {
        Part(html, s, part);
        if (estimate.Value is { } km)
        {
            var end = Math.Max(km.RiskTimes.DefaultIfEmpty(0).Max(), km.Curves.SelectMany(c => c.Points).Select(p => p.Time).DefaultIfEmpty(0).Max());
            var plot = new SvgPlot($"{endpoint} by predicted group (Fig. 5)", "months", "survival", 0, end, 0, 1);
            foreach (var c in km.Curves)
            {
                var colour = c.Group == DashboardService.PredictedResponders ? SvgPlot.Palette[0] : SvgPlot.Palette[1];
                plot.Step($"{c.Group} (n = {c.Count}, events {c.Events})", 1, c.Points.Select(p => (p.Time, p.Survival)), colour);
            }

            Figure(html, plot.Render($"km-{endpoint.ToLowerInvariant()}"));
            html.Append("<table data-testid=\"at-risk-table\"><thead><tr><th>At risk</th>");
            foreach (var t in km.RiskTimes)
            {
                html.Append(CultureInfo.InvariantCulture, $"<th>{t.ToString(CultureInfo.InvariantCulture)}</th>");
            }

            html.Append("</tr></thead><tbody>");
            foreach (var row in km.AtRisk)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(row.Group)}</td>{string.Concat(row.AtRisk.Select(n => $"<td>{n}</td>"))}</tr>");
            }

            html.Append("</tbody></table>");
            html.Append(CultureInfo.InvariantCulture,
                $"<p data-testid=\"survival-{endpoint.ToLowerInvariant()}\">Log-rank {E(DashboardFormat.LogRank(km))}; Cox HR of predicted responders {E(DashboardFormat.HazardRatio(km))}</p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\" data-testid=\"survival-{endpoint.ToLowerInvariant()}\">{endpoint}: {E(estimate.Reason ?? "")}</p>");
        }

        html.Append("</div>");
    }

    private static void Figures(StringBuilder html, StudyDashboard d)
    {
        Open(html, "model-figures", "Model figures");
        if (d.Figures is not { } figures)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"reason\">{E(d.Unavailable ?? "No model figures")}</p></section>\n");
            return;
        }

        var lasso = figures.Lasso;
        html.Append(CultureInfo.InvariantCulture,
            $"<p data-testid=\"lasso-summary\">Model {E(figures.Version)}: LASSO over {lasso.Candidates.Count} candidate clinical factors: lambda.min {DashboardFormat.Number(lasso.LambdaMin)}, lambda.1se {DashboardFormat.Number(lasso.Lambda1se)}, used {DashboardFormat.Number(lasso.Lambda)}.</p>");
        html.Append("<div class=\"part\"><h3>LASSO path and cross-validation</h3><div class=\"figures\">");
        var logs = lasso.Lambdas.Select(l => Math.Log(l)).Concat([Math.Log(lasso.LambdaMin), Math.Log(lasso.Lambda1se)]).ToList();
        var (xLow, xHigh) = SvgPlot.Range(logs, 0.02);
        var (cLow, cHigh) = SvgPlot.Range(lasso.Coefficients.SelectMany(c => c).Append(0));
        var path = new SvgPlot("LASSO path (S1A)", "log(lambda)", "coefficient", xLow, xHigh, cLow, cHigh, width: 420);
        for (var j = 0; j < lasso.Candidates.Count; j++)
        {
            var column = j;
            path.Line(lasso.Candidates[j], lasso.Lambdas.Select((l, i) => (Math.Log(l), lasso.Coefficients[i][column])), SvgPlot.Palette[j % SvgPlot.Palette.Count]);
        }

        path.Marker("lambda.min", Math.Log(lasso.LambdaMin), "#616161").Marker("lambda.1se", Math.Log(lasso.Lambda1se), "#212121");
        Figure(html, path.Render("lasso-path"));
        var cv = lasso.Lambdas.Select((l, i) => (x: Math.Log(l), m: lasso.MeanDeviance[i], se: double.IsFinite(lasso.StandardError[i]) ? lasso.StandardError[i] : 0))
            .Where(p => double.IsFinite(p.m)).ToList();
        var (dLow, dHigh) = SvgPlot.Range(cv.SelectMany(p => new[] { p.m - p.se, p.m + p.se }));
        var curve = new SvgPlot("LASSO cross-validation", "log(lambda)", "binomial deviance", xLow, xHigh, dLow, dHigh, width: 420);
        curve.Line("mean deviance", cv.Select(p => (p.x, p.m)), "#c62828");
        curve.Line("+1 SE", cv.Select(p => (p.x, p.m + p.se)), "#ef9a9a", "2 2", inLegend: false);
        curve.Line("−1 SE", cv.Select(p => (p.x, p.m - p.se)), "#ef9a9a", "2 2", inLegend: false);
        curve.Marker("lambda.min", Math.Log(lasso.LambdaMin), "#616161").Marker("lambda.1se", Math.Log(lasso.Lambda1se), "#212121");
        Figure(html, curve.Render("lasso-cv"));
        html.Append("</div></div>");

        html.Append("<div class=\"part\"><h3>Partial dependence</h3><div class=\"figures\">");
        for (var i = 0; i < figures.PartialDependence.Curves.Count; i++)
        {
            var pd = figures.PartialDependence.Curves[i];
            var (gLow, gHigh) = SvgPlot.Range(pd.Grid, 0);
            var (sLow, sHigh) = SvgPlot.Range(pd.MeanScore, 0.1);
            var plot = new SvgPlot($"Partial dependence: {pd.Column}", pd.Column, "mean TRS", gLow, gHigh, sLow, sHigh, width: 300, height: 220);
            plot.Line(pd.Column, pd.Grid.Select((g, k) => (g, pd.MeanScore[k])), SvgPlot.Palette[i % SvgPlot.Palette.Count], inLegend: false);
            Figure(html, plot.Render("partial-dependence"));
        }

        html.Append("</div></div>");

        html.Append("<div class=\"part\"><h3>Deep-feature heatmap</h3>");
        if (figures.Heatmap is { } heatmap)
        {
            var rows = heatmap.RowOrder.ToList();
            var values = rows.Select(r => heatmap.ColumnOrder.Select(c => heatmap.Values[r][c]).ToArray()).ToList();
            var labels = rows.Select((r, i) => $"{(heatmap.Responders[r] ? "R" : "N")}{i + 1}").ToList();
            Figure(html, SvgPlot.Grid("heatmap",
                $"Deep features (Fig. 3C): {heatmap.Patients.Count} training patients (R responder, N not) × {heatmap.Features.Count} most variable features, clustered",
                labels, values, 3, cellHeight: Math.Clamp(600.0 / Math.Max(1, rows.Count), 2, 10)));
        }
        else
        {
            html.Append("<p class=\"reason\">Deep-feature heatmap: the network's features could not be read when this version was trained.</p>");
        }

        html.Append("</div></section>\n");
    }

    private static void Open(StringBuilder html, string id, string title) =>
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"report-section\" id=\"{id}\"><h2>{E(title)}</h2>");

    /// <summary>Opens a part of a cohort section; the figures (ROC to TRS by response, but the waterfall) go two to a row.</summary>
    private static void Part(StringBuilder html, CohortDashboard s, int index) =>
        html.Append(CultureInfo.InvariantCulture,
            $"<div class=\"part{(index is >= 2 and <= 8 and not 7 ? " fig" : "")}\" id=\"{SectionId(s)}-part-{index + 1}\"><h3>{E(CohortParts[index])}</h3>");

    /// <summary>A table cell; a number with its interval is kept on one line (a reason wraps).</summary>
    private static string Td(string text, bool number) => number ? $"<td class=\"num\">{E(text)}</td>" : $"<td>{E(text)}</td>";

    private static void Figure(StringBuilder html, string svg) => html.Append("<figure>").Append(svg).Append("</figure>");

    private static void Item(StringBuilder html, string term, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<dt>{E(term)}</dt><dd>{E(value)}</dd>");

    private static string Kind(string? kind) => kind == ModelKinds.DerbyPlus ? "DERBY+" : kind == ModelKinds.Derby ? "DERBY" : kind ?? "";

    private static string ResponseColour(string response) => response switch
    {
        "CR" => "#1b5e20",
        "PR" => "#43a047",
        "SD" => "#f9a825",
        _ => "#c62828",
    };

    /// <summary>Letters, digits and hyphens only: an id that no data can break out of.</summary>
    private static string Slug(string text) =>
        new(text.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
