using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Derby.Application.Dashboards;
using Derby.Application.Reports;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// The printable study report (ADR 21) on the dashboard study: every section, the dashboard's numbers as the page writes
/// them, data strings encoded, one SVG curve per series; and <c>derby report</c> end to end (headless chromium, then
/// pdftotext): the PDF has every section title and the dashboard's numbers.
/// </summary>
public sealed partial class StudyReportTests(DashboardStudy study) : IClassFixture<DashboardStudy>
{
    private StudyReportService Reports => study.Db.Get<StudyReportService>();

    [Fact]
    public async Task Html_HasEverySection_AndTheDashboardsNumbers_AsThePageFormatsThem()
    {
        var (dashboard, html) = await Reports.BuildAsync(DashboardStudy.Pi, new DashboardFilter(BySite: true));

        Assert.Equal(study.DerbyPlus, dashboard.ModelVersion);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        foreach (var (id, title) in StudyReport.FixedSections)
        {
            Assert.Contains($"<h2>{E(title)}</h2>", Between(html, $"<section class=\"report-section\" id=\"{id}\">"), StringComparison.Ordinal);
        }

        // Both models' provenance, with the manifest hash.
        Assert.Contains($"data-version=\"{study.Derby}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-version=\"{study.DerbyPlus}\"", html, StringComparison.Ordinal);
        Assert.Matches("Manifest SHA-256</dt><dd>[0-9a-f]{64}</dd>", html);

        // Every cohort, and each of the two sites apart.
        Assert.Equal(dashboard.Cohorts.Count * (1 + dashboard.Sites.Count), dashboard.Sections.Count);
        foreach (var s in dashboard.Sections)
        {
            var part = Section(html, s);
            Assert.Contains($"<h2>{E(StudyReport.SectionTitle(s))}</h2>", part, StringComparison.Ordinal);
            foreach (var title in StudyReport.CohortParts)
            {
                Assert.Contains($"<h3>{E(title)}</h3>", part, StringComparison.Ordinal);
            }

            foreach (var text in Numbers(s))
            {
                Assert.Contains(E(text), part, StringComparison.Ordinal);
            }
        }

        // The external validation cohort has every number (two classes, events in both groups).
        var external = dashboard.Sections.Single(s => s.Cohort == "external-validation" && s.Site is null);
        Assert.True(external.Performance.Single(r => r.Model == "DERBY+").Auc.IsEstimable);
        Assert.True(external.DeLong.IsEstimable && external.Calibration.IsEstimable && external.Pfs.Value!.LogRank.IsEstimable && external.Os.Value!.HazardRatio.IsEstimable);
        // The internal validation cohort (three responders only) prints the reasons, as the page does.
        var internalSection = Section(html, dashboard.Sections.Single(s => s.Cohort == "internal-validation" && s.Site is null));
        Assert.Contains(E("not estimable: 3 responders and 0 non-responders (at least 2 of each needed)"), internalSection, StringComparison.Ordinal);

        // Table 1 cells as the page's CharacteristicsTable writes them.
        var table = dashboard.Characteristics;
        foreach (var v in table.Variables)
        {
            foreach (var r in v.Rows)
            {
                foreach (var cell in r.Cells)
                {
                    Assert.Contains($"<td>{E(DashboardFormat.Cell(r.Label, cell, table.Columns.Single(c => c.Cohort == cell.Cohort).Patients))}</td>", html, StringComparison.Ordinal);
                }
            }
        }

        Assert.Contains(E($"lambda.1se {DashboardFormat.Number(dashboard.Figures!.Lasso.Lambda1se)}"), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Svg_HasOneCurvePerSeries()
    {
        var (dashboard, html) = await Reports.BuildAsync(DashboardStudy.Pi, new DashboardFilter(study.DerbyPlus, Cohort: "external-validation"));
        var s = Assert.Single(dashboard.Sections);
        var part = Section(html, s);
        // ROC: one polyline per model with a curve, and the chance diagonal.
        Assert.Equal(s.Roc.Count(r => r.Points.Count > 0) + 1, Series(part, "roc"));
        Assert.Equal(s.Roc.Count(r => r.Points.Count > 0) + 1, Regex.Count(Svg(part, "roc"), "<polyline class=\"series\""));
        Assert.Equal(3, Series(part, "decision-curve"));
        Assert.Equal(s.Pfs.Value!.Curves.Count, Series(part, "km-pfs"));
        Assert.Equal(s.Os.Value!.Curves.Count, Series(part, "km-os"));
        Assert.Equal(2, Series(part, "trs-by-response"));
        Assert.Equal(s.Waterfall.Count, Regex.Count(Svg(part, "waterfall"), "<rect x=") - 1);
        var figures = dashboard.Figures!;
        var lasso = Svg(html, "lasso-path");
        Assert.Equal(figures.Lasso.Candidates.Count, Regex.Count(lasso, "<polyline class=\"series\""));
        Assert.Contains("data-marker=\"lambda.min\"", lasso, StringComparison.Ordinal);
        Assert.Contains("data-marker=\"lambda.1se\"", lasso, StringComparison.Ordinal);
        Assert.Equal(figures.PartialDependence.Curves.Count, Regex.Count(html, "data-figure=\"partial-dependence\""));
        if (figures.Heatmap is { } heatmap)
        {
            var grid = Svg(html, "heatmap");
            Assert.Contains($"data-rows=\"{heatmap.Patients.Count}\"", grid, StringComparison.Ordinal);
            Assert.Equal((heatmap.Patients.Count * heatmap.Features.Count) + 21, Regex.Count(grid, "<rect "));
        }
    }

    [Fact]
    public async Task Html_EncodesDataStrings_SoACohortOrPseudonymCannotInject()
    {
        var (dashboard, _) = await Reports.BuildAsync(DashboardStudy.Pi, new DashboardFilter(study.DerbyPlus, Cohort: "external-validation"));
        const string Evil = "<script>alert('x')</script>";
        var s = dashboard.Sections[0];
        var tampered = dashboard with
        {
            Sections = [s with { Cohort = Evil, Name = Evil, Site = Evil, Note = Evil, Waterfall = [.. s.Waterfall.Select(b => b with { Pseudonym = Evil })] }],
            Filter = dashboard.Filter with { Cohort = Evil },
        };

        var html = StudyReport.Html(tampered, [], DateTime.UtcNow);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(WebUtility.HtmlEncode(Evil), html, StringComparison.Ordinal);
        Assert.Contains("id=\"cohort--script-alert--x----script---script-alert--x----script-\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliReport_WritesAPdf_WithEverySectionTitle_AndTheDashboardsNumbers()
    {
        var folder = Directory.CreateTempSubdirectory("derby-report-test-");
        try
        {
            var pdf = Path.Combine(folder.FullName, "report.pdf");
            var htmlFile = Path.Combine(folder.FullName, "report.html");
            var (exit, stdout, stderr) = await Cli.RunWithAsync(study.Db.DataDirectory, new Dictionary<string, string>(), "report", "--model", study.DerbyPlus, "--out", pdf,
                "--html", htmlFile);
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            Assert.Contains("report.pdf", stdout, StringComparison.Ordinal);
            Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(pdf), 0, 5));
            Assert.Empty(Directory.GetFiles(folder.FullName, "*.tmp"));
            var html = await File.ReadAllTextAsync(htmlFile);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

            // The same filter computed here: the dashboard the page would show.
            var dashboard = await study.Db.Get<DashboardService>().GetAsync(DashboardStudy.Pi, new DashboardFilter(study.DerbyPlus));
            // Tables read whole in pdftotext's layout mode, paragraphs in its reading order; the cohort pages' figures stand three to
            // a row (A4 landscape, 12 mm margins), and side-by-side paragraphs interleave, so each third of the page is also read alone.
            var text = Normalise(await PdfTextAsync(pdf, "-layout")) + " ¶ " + Normalise(await PdfTextAsync(pdf));
            for (var column = 0; column < 3; column++)
            {
                // Each third is 32.5% of the 774 pt between the margins (34 pt), read a point inside its edges.
                var left = (int)(34 + (251.6 * column)) + 1;
                text += " ¶ " + Normalise(await PdfTextAsync(pdf, "-x", $"{left}", "-y", "0", "-W", "249", "-H", "842"));
            }

            foreach (var (_, title) in StudyReport.FixedSections)
            {
                Assert.Contains(title, text, StringComparison.Ordinal);
            }

            foreach (var s in dashboard.Sections)
            {
                Assert.Contains(Normalise(StudyReport.SectionTitle(s)), text, StringComparison.Ordinal);
                foreach (var title in StudyReport.CohortParts)
                {
                    Assert.Contains(title, text, StringComparison.Ordinal);
                }

                foreach (var number in Numbers(s, tableReasons: false))
                {
                    Assert.Contains(Normalise(number), text, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CliReport_FailsWithTheReason_AndWritesNothing_WhenChromiumIsMissing()
    {
        var folder = Directory.CreateTempSubdirectory("derby-report-test-");
        try
        {
            var pdf = Path.Combine(folder.FullName, "report.pdf");
            var (exit, _, stderr) = await Cli.RunWithAsync(study.Db.DataDirectory, new Dictionary<string, string> { ["Derby__Chromium"] = "/nonexistent/chromium" },
                "report", "--model", study.DerbyPlus, "--out", pdf, "--html", Path.Combine(folder.FullName, "report.html"));
            Assert.Equal(1, exit);
            Assert.Contains("chromium was not found at /nonexistent/chromium", stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// What the report must show of a section, each exactly as the page formats it. In table cells, a reason (long text)
    /// wraps across lines, which the PDF's text cannot give back whole: <paramref name="tableReasons"/> false leaves those out.
    /// </summary>
    private static IEnumerable<string> Numbers(CohortDashboard s, bool tableReasons = true)
    {
        foreach (var r in s.Performance)
        {
            if (r.Auc.IsEstimable || tableReasons)
            {
                yield return DashboardFormat.Auc(r.Auc);
            }

            if (r.Accuracy.Value is { } a)
            {
                foreach (var p in new[] { a.Sensitivity, a.Specificity, a.PositivePredictiveValue, a.NegativePredictiveValue }.Where(p => p is not null || tableReasons))
                {
                    yield return DashboardFormat.Proportion(p, null);
                }
            }
        }

        yield return DashboardFormat.DeLong(s.DeLong);
        foreach (var c in s.SignatureComparisons)
        {
            yield return DashboardFormat.SignatureTest(c.Test);
        }

        if (s.Calibration.Value is { } cal)
        {
            yield return $"Brier {DashboardFormat.Number(cal.Brier)}";
            yield return DashboardFormat.HosmerLemeshow(cal);
        }
        else
        {
            yield return s.Calibration.Reason!;
        }

        foreach (var survival in new[] { s.Pfs, s.Os })
        {
            if (survival.Value is { } km)
            {
                yield return $"Log-rank {DashboardFormat.LogRank(km)}";
                yield return $"Cox HR of predicted responders {DashboardFormat.HazardRatio(km)}";
            }
            else
            {
                yield return survival.Reason!;
            }
        }

        if (s.TrsByResponse.Value is { } byResponse)
        {
            yield return $"Mann-Whitney p = {DashboardFormat.P(byResponse.MannWhitney.P)}";
        }

        foreach (var r in s.Rates.Where(r => r.ResponseRate.IsEstimable || tableReasons))
        {
            yield return DashboardFormat.Rate(r.Responses, r.Patients, r.ResponseRate);
            yield return DashboardFormat.Rate(r.Resections, r.Patients, r.ResectionRate);
        }
    }

    private static async Task<string> PdfTextAsync(string pdf, params string[] options)
    {
        var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[.. options, "-enc", "UTF-8", pdf, "-"])
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("pdftotext is missing: install poppler-utils (scripts/prerequisites.sh --tests)", ex);
        }

        using (process)
        {
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            return text;
        }
    }

    /// <summary>Whitespace (line ends, layout padding) collapsed to single spaces.</summary>
    private static string Normalise(string text) => Whitespace().Replace(text, " ");

    private static string Section(string html, CohortDashboard s) => Between(html, $"id=\"{StudyReport.SectionId(s)}\"");

    /// <summary>From a marker to the next section.</summary>
    private static string Between(string html, string marker)
    {
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {marker}");
        var end = html.IndexOf("<section", start + marker.Length, StringComparison.Ordinal);
        return html[start..(end < 0 ? html.Length : end)];
    }

    private static string Svg(string html, string figure)
    {
        var start = html.IndexOf($"data-figure=\"{figure}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {figure} figure");
        return html[start..html.IndexOf("</svg>", start, StringComparison.Ordinal)];
    }

    private static int Series(string html, string figure) => Regex.Count(Svg(html, figure), "class=\"series\"");

    private static string E(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
