using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Derby.Statistics;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// The PI dashboard in a real browser on the demo (./run.sh). The demo has no trained models, so the command line first
/// trains the smallest pair network (1 epoch, crop 32) on the demo's lesions (drawn by the synthetic physician), its
/// features and mixture, a DERBY and a DERBY+ version on it, and scores every cohort with both. The principal
/// investigator then opens every view (all cohorts, one cohort, one cohort per site): every Plotly chart is drawn with the
/// traces its data attributes promise (and as many as the data call for), and every number shown (AUC with its CI,
/// sensitivity, specificity, Brier, log-rank p, Cox HR) equals what <see cref="Derby.Statistics"/> gives when the test
/// calls it itself on the per-patient scores and outcomes it reads straight from the demo's database and model store;
/// where the data leave a number not estimable, the page shows the reason instead. Screenshots in artifacts/e2e.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class DashboardBrowserTests(DemoServer demo, ITestOutputHelper output) : IAsyncLifetime
{
    private const double Tolerance = 1e-9;
    private const string Derby = "DERBY", DerbyPlus = "DERBY+";
    private const string PredictedResponders = "predicted responder", PredictedNonResponders = "predicted non-responder";
    private static readonly string[] Signatures = ["clinical", "imaging", "histological"];
    private static readonly string[] Cohorts = ["training", "internal-validation", "histology", "external-validation", "negative-validation"];

    /// <summary>
    /// Counts the drawn traces of each chart of the cohort sections and of the model's figures against its data-traces
    /// attribute (null when all agree). Scatter, bar and box traces are each a <c>.trace</c> group of the plot's cartesian
    /// layer; a heatmap is an <c>.hm</c> group.
    /// </summary>
    private const string ChartMismatches = """
        () => {
          const wrong = [];
          for (const chart of document.querySelectorAll('[data-testid=dashboard-section] [data-testid$=-chart][data-traces], [data-testid=model-figures] [data-testid$=-chart][data-traces]')) {
            const promised = Number(chart.getAttribute('data-traces'));
            const svg = chart.querySelector('.js-plotly-plot svg.main-svg');
            const drawn = chart.querySelectorAll('.js-plotly-plot .cartesianlayer .trace, .js-plotly-plot .cartesianlayer .hm').length;
            if (promised > 0 && (!svg || drawn !== promised)) wrong.push(`${chart.getAttribute('data-testid')}: ${drawn} of ${promised} (svg ${!!svg}; ${chart.innerHTML.slice(0, 400)})`);
            if (promised === 0 && svg) wrong.push(`${chart.getAttribute('data-testid')}: drawn though 0 traces`);
          }
          return wrong.length === 0 ? null : wrong.join('; ');
        }
        """;

    private DebianChromium? chromium;

    public async Task InitializeAsync() => chromium = await DebianChromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }
    }

    [Fact]
    public async Task Pi_SeesEveryDashboardView_DrawnWithTheEnginesNumbers_AndReasonsWhereNotEstimable_ThenAReviewerAuditsAPrediction()
    {
        var (derbyVersion, derbyPlusVersion) = await TrainAndScoreAsync();
        var study = Study.Read(demo.DataDirectory, derbyVersion, derbyPlusVersion);

        var console = new List<string>();
        var page = await chromium!.SignedInPageAsync(demo, "pi", 1500, 1000, console);
        var compared = new Compared();
        foreach (var (query, file, sections) in new[]
        {
            ("", "dashboard-all-cohorts.png", Cohorts.Select(c => (c, (string?)null)).ToList()),
            ("?cohort=external-validation", "dashboard-external-validation.png", [("external-validation", null)]),
            ("?cohort=external-validation&bySite=true", "dashboard-external-validation-by-site.png",
                [("external-validation", null), .. study.Sites.Select(s => ("external-validation", (string?)s))]),
        })
        {
            await page.GotoAsync("/dashboard" + query);
            var dashboard = page.Locator("[data-testid=dashboard]");
            await Assertions.Expect(dashboard).ToHaveAttributeAsync("data-version", derbyPlusVersion, new() { Timeout = 60_000 });
            await Assertions.Expect(dashboard).ToHaveAttributeAsync("data-sections", sections.Count.ToString(CultureInfo.InvariantCulture));
            await WaitForChartsAsync(page, query, console);
            // Table 1 and the model's figures (LASSO path and CV curve, partial dependence, heatmap) above the cohort sections.
            await Assertions.Expect(page.Locator("[data-testid=characteristics-table]")).ToHaveAttributeAsync("data-variables", "13");
            Assert.True(await page.Locator("[data-testid=model-figures] [data-testid=pd-chart]").CountAsync() > 0, "no partial dependence chart");
            await Assertions.Expect(page.Locator("[data-testid=model-figures] [data-testid=lasso-path-chart] .js-plotly-plot svg.main-svg").First).ToBeVisibleAsync();

            foreach (var (cohort, site) in sections)
            {
                var section = page.Locator($"[data-testid=dashboard-section][data-cohort='{cohort}'][data-site='{site ?? ""}']");
                await Assertions.Expect(section).ToHaveCountAsync(1);
                await CheckSectionAsync(section, study, cohort, site, compared);
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoServer.ArtefactDirectory, file), FullPage = true });
        }

        // Both paths were taken: numbers compared with the engine's (the training cohort has both classes on either
        // model), and, on the small demo's sites and cohorts (one class, too few per group), reasons in place of numbers.
        output.WriteLine($"compared: {compared}");
        Assert.True(compared.Auc > 0 && compared.Brier > 0, $"no AUC or Brier was compared with the engine's: {compared}");
        Assert.True(compared.NotEstimable > 0, $"the demo gave no cell that cannot be estimated: the reason path went unchecked ({compared})");

        await ReviewerAuditsAPredictionAsync(derbyPlusVersion);
    }

    /// <summary>
    /// Then a reviewer opens a pending DERBY+ prediction from the queue: its pairs chart is drawn, its inputs read back from
    /// the stores (the demo's real DICOM files) are intact and current, the PET and CT are drawn, and a disagreement with
    /// its reason is recorded and shown as waiting for a second reviewer.
    /// </summary>
    private async Task ReviewerAuditsAPredictionAsync(string version)
    {
        var console = new List<string>();
        var page = await chromium!.SignedInPageAsync(demo, "reviewer", 1500, 1100, console);
        await page.GotoAsync("/reviews?status=pending");
        var item = page.Locator("[data-testid=review-item]", new() { HasText = version }).First;
        await Assertions.Expect(item).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var prediction = await item.GetAttributeAsync("data-prediction");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoServer.ArtefactDirectory, "review-queue.png"), FullPage = true });
        await item.Locator("[data-testid=review-link]").ClickAsync();
        await page.WaitForURLAsync($"**/reviews/{prediction}");

        await Assertions.Expect(page.Locator("[data-testid=review-pairs] .js-plotly-plot svg.main-svg").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var verified = page.Locator("[data-testid=review-verdict-store]");
        await Assertions.Expect(verified).ToHaveAttributeAsync("data-intact", "true", new() { Timeout = 120_000 });
        await Assertions.Expect(verified).ToHaveAttributeAsync("data-current", "true");
        var dicom = page.Locator("[data-testid=review-store-check][data-what='DICOM instances'] td");
        Assert.True(int.Parse(await dicom.Nth(1).InnerTextAsync(), CultureInfo.InvariantCulture) > 0, "no DICOM instance was read back");
        Assert.Equal("0", await dicom.Nth(4).InnerTextAsync());
        await page.WaitForSelectorAsync("[data-testid=petct-viewer][data-state=ready]", new() { Timeout = 120_000 });
        foreach (var viewport in new[] { "ct-viewport", "pet-viewport" })
        {
            await page.WaitForFunctionAsync($"(s) => ({DebianChromium.DrawnFraction})(s) > 0.05", $"[data-testid={viewport}]", new() { Timeout = 60_000, PollingInterval = 500 });
        }

        await Assertions.Expect(page.Locator("[data-testid=lesion-panel]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=review-verdict]").GetByText("disagreed", new() { Exact = true }).ClickAsync();
        await page.Locator("[data-testid=review-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=review-error]")).ToContainTextAsync("Say why you disagree");
        await page.FillAsync("[data-testid=review-comment]", "The pairs come from one lesion only; the second liver lesion was not boxed.");
        await page.Locator("[data-testid=review-submit]").ClickAsync();
        var state = page.Locator("[data-testid=review-case] [data-testid=review-state]");
        await Assertions.Expect(state).ToHaveAttributeAsync("data-status", "disagreed", new() { Timeout = 30_000 });
        await Assertions.Expect(state).ToHaveAttributeAsync("data-awaiting", "true");
        await Assertions.Expect(page.Locator("[data-testid=review-closed]")).ToContainTextAsync("second reviewer");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoServer.ArtefactDirectory, "review-prediction.png"), FullPage = true });
        Assert.DoesNotContain(console, m => m.StartsWith("error", StringComparison.Ordinal) && !m.Contains("favicon", StringComparison.Ordinal));
    }

    /// <summary>Every Plotly chart of the page drawn with its promised traces (it is drawn after the circuit attaches).</summary>
    private static async Task WaitForChartsAsync(IPage page, string view, List<string> console)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => ({ChartMismatches})() === null", null, new() { Timeout = 90_000, PollingInterval = 500 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"/dashboard{view}: charts not drawn as promised: {await page.EvaluateAsync<string?>(ChartMismatches)}\nbrowser errors:\n"
                + string.Join('\n', console.Where(m => m.StartsWith("error", StringComparison.Ordinal))));
        }
    }

    /// <summary>One section's charts, Table 2, calibration and survival numbers against the engine; the number of not-estimable cells checked.</summary>
    private static async Task CheckSectionAsync(ILocator section, Study study, string cohort, string? site, Compared compared)
    {
        var where = $"{cohort}/{site ?? "all"}";
        var members = study.Members(cohort, site).Where(study.Outcomes.ContainsKey).ToList();
        var primary = study.Models[DerbyPlus];
        var evaluated = members.Select(m => (Id: m, Score: primary.Score(cohort, m))).Where(s => s.Score is not null).Select(s => (s.Id, Trs: s.Score!.Value)).ToList();
        var trs = evaluated.Select(e => e.Trs).ToArray();
        var labels = evaluated.Select(e => study.Outcomes[e.Id].Responder ? 1 : 0).ToArray();
        Assert.Equal(evaluated.Count.ToString(CultureInfo.InvariantCulture), await section.GetAttributeAsync("data-evaluated"));
        Assert.Equal(labels.Sum().ToString(CultureInfo.InvariantCulture), await section.GetAttributeAsync("data-responders"));

        // Table 2: DERBY and DERBY+ on their own scores, the signatures of the dashboard's model (DERBY+) on its patients.
        var rocCurves = 0;
        foreach (var name in new[] { Derby, DerbyPlus })
        {
            var model = study.Models[name];
            var scored = members.Select(m => (m, s: model.Score(cohort, m))).Where(t => t.s is not null).ToList();
            var y = scored.Select(t => study.Outcomes[t.m].Responder ? 1 : 0).ToArray();
            await CheckRowAsync(section, where, name, [.. scored.Select(t => t.s!.Value)], y, model.Threshold, null, compared);
            rocCurves += y.Length > 0 && y.Sum() > 0 && y.Sum() < y.Length ? 1 : 0;
        }

        var own = cohort == primary.Cohort;
        foreach (var name in Signatures)
        {
            var scored = own ? [] : evaluated.Select((e, i) => (s: primary.Signature(e.Id, name), y: labels[i])).Where(t => t.s is not null).ToList();
            var y = scored.Select(t => t.y).ToArray();
            await CheckRowAsync(section, where, name, [.. scored.Select(t => t.s!.Value)], y, primary.Threshold,
                scored.Count == 0 ? $"no {name} scores" : null, compared);
            rocCurves += y.Length > 0 && y.Sum() > 0 && y.Sum() < y.Length ? 1 : 0;
        }

        // Charts: as many traces as the data call for, each drawn (WaitForChartsAsync: drawn = promised).
        var twoClasses = TwoOfEach(labels);
        await ExpectTracesAsync(section, "roc-chart", rocCurves + 1, where);
        await ExpectTracesAsync(section, "calibration-chart", twoClasses ? 2 : 0, where);
        await ExpectTracesAsync(section, "decision-chart", twoClasses ? 3 : 0, where);
        await ExpectTracesAsync(section, "trs-box-chart", twoClasses ? 2 : 0, where);
        await ExpectTracesAsync(section, "waterfall-chart", evaluated.Count > 0 ? 1 : 0, where);
        var waterfall = section.Locator("[data-testid=waterfall-chart]");
        Assert.Equal(evaluated.Count.ToString(CultureInfo.InvariantCulture), await waterfall.GetAttributeAsync("data-bars"));
        if (evaluated.Count > 0)
        {
            Assert.Equal(evaluated.Count, await waterfall.Locator(".barlayer .point").CountAsync());
        }

        // Calibration: the Brier score of the TRS.
        var calibration = section.Locator("[data-testid=calibration-chart]");
        if (twoClasses)
        {
            var brier = Calibration.Brier(trs, [.. labels.Select(l => (double)l)]);
            AssertNumber(brier, await calibration.GetAttributeAsync("data-brier"), $"{where} Brier");
            Assert.Contains($"Brier {F(brier)};", await Parent(calibration).InnerTextAsync(), StringComparison.Ordinal);
            compared.Brier++;
        }
        else
        {
            compared.NotEstimable++;
            Assert.Contains("not estimable", await calibration.InnerTextAsync(), StringComparison.Ordinal);
        }

        // Kaplan-Meier by predicted group: log-rank p and the Cox HR of predicted responders.
        foreach (var endpoint in new[] { "PFS", "OS" })
        {
            await CheckSurvivalAsync(section, study, where, endpoint, evaluated, primary.Threshold, compared);
        }
    }

    private static async Task CheckRowAsync(ILocator section, string where, string model, double[] scores, int[] labels, double threshold, string? unavailable,
        Compared compared)
    {
        var row = section.Locator($"[data-testid=performance-row][data-model='{model}']");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        var cells = row.Locator("td");
        var aucCell = await cells.Nth(3).InnerTextAsync();
        where = $"{where} {model}";
        if (unavailable is not null || scores.Length == 0)
        {
            // Nothing to evaluate: the reason in every cell's place, no number.
            Assert.Equal("", await row.GetAttributeAsync("data-auc"));
            Assert.Equal("", await row.GetAttributeAsync("data-sensitivity"));
            Assert.StartsWith(unavailable ?? "no patients with an outcome", aucCell, StringComparison.Ordinal);
            compared.NotEstimable++;
            return;
        }

        if (TwoOfEach(labels))
        {
            var auc = RocAnalysis.DeLong(scores, labels);
            AssertNumber(auc.Auc, await row.GetAttributeAsync("data-auc"), $"{where} AUC");
            AssertNumber(auc.Lower, await row.GetAttributeAsync("data-auc-lower"), $"{where} AUC lower");
            AssertNumber(auc.Upper, await row.GetAttributeAsync("data-auc-upper"), $"{where} AUC upper");
            Assert.Equal($"{F(auc.Auc)} ({F(auc.Lower)}–{F(auc.Upper)})", aucCell);
            compared.Auc++;
        }
        else
        {
            compared.NotEstimable++;
            Assert.Equal("", await row.GetAttributeAsync("data-auc"));
            var responders = labels.Sum();
            Assert.Equal($"not estimable: {responders} responder{(responders == 1 ? "" : "s")} and {labels.Length - responders} non-responder"
                + $"{(labels.Length - responders == 1 ? "" : "s")} (at least 2 of each needed)", aucCell);
        }

        var accuracy = DiagnosticAccuracy.AtThreshold(scores, labels, threshold);
        foreach (var (name, cell, value) in new[] { ("sensitivity", 4, accuracy.Sensitivity), ("specificity", 5, accuracy.Specificity) })
        {
            var text = await cells.Nth(cell).InnerTextAsync();
            if (value is null)
            {
                compared.NotEstimable++;
                Assert.Equal("", await row.GetAttributeAsync($"data-{name}"));
                Assert.Equal("not estimable (no patients in the denominator)", text);
            }
            else
            {
                AssertNumber(value.Estimate, await row.GetAttributeAsync($"data-{name}"), $"{where} {name}");
                Assert.Equal($"{F(value.Estimate)} ({F(value.Lower)}–{F(value.Upper)})", text);
                compared.Accuracy++;
            }
        }
    }

    private static async Task CheckSurvivalAsync(ILocator section, Study study, string where, string endpoint, IReadOnlyList<(Guid Id, double Trs)> evaluated,
        double threshold, Compared compared)
    {
        where = $"{where} {endpoint}";
        var chart = section.Locator($"[data-testid=km-{endpoint.ToLowerInvariant()}-chart]");
        if (evaluated.Count == 0)
        {
            await ExpectTracesAsync(section, $"km-{endpoint.ToLowerInvariant()}-chart", 0, where);
            Assert.Contains("no patients with an outcome and a current score", await chart.InnerTextAsync(), StringComparison.Ordinal);
            compared.NotEstimable++;
            return;
        }

        var data = evaluated.Select(e => (e.Trs, o: study.Outcomes[e.Id])).Select(t => (t.Trs, Time: endpoint == "PFS" ? t.o.PfsMonths : t.o.OsMonths,
            Event: (endpoint == "PFS" ? t.o.PfsEvent : t.o.OsEvent) ? 1 : 0)).ToList();
        var times = data.Select(d => d.Time).ToArray();
        var events = data.Select(d => d.Event).ToArray();
        var groups = data.Select(d => d.Trs >= threshold ? PredictedResponders : PredictedNonResponders).ToList();
        var sizes = new[] { PredictedResponders, PredictedNonResponders }.Select(g => (n: groups.Count(x => x == g), e: events.Where((_, i) => groups[i] == g).Sum())).ToList();
        await ExpectTracesAsync(section, $"km-{endpoint.ToLowerInvariant()}-chart", sizes.Count(s => s.n > 0), where);
        var text = await Parent(chart).InnerTextAsync();

        var logRankEstimable = sizes.All(s => s.n >= 2) && events.Sum() > 0;
        if (logRankEstimable)
        {
            var logRank = LogRankTest.Compute(times, events, groups);
            AssertNumber(logRank.P, await chart.GetAttributeAsync("data-logrank-p"), $"{where} log-rank p");
            Assert.Contains($"Log-rank p = {P(logRank.P)};", text, StringComparison.Ordinal);
            compared.LogRank++;
        }
        else
        {
            compared.NotEstimable++;
            Assert.Equal("", await chart.GetAttributeAsync("data-logrank-p"));
            Assert.Contains("Log-rank not estimable:", text, StringComparison.Ordinal);
        }

        CoxCoefficient? hr = null;
        if (logRankEstimable && sizes.All(s => s.e > 0))
        {
            try
            {
                hr = CoxRegression.Fit(times, events, [[.. groups.Select(g => g == PredictedResponders ? 1.0 : 0.0)]], [PredictedResponders]).Coefficients[0];
            }
            catch (StatisticsException)
            {
                // not estimable: the page must say why
            }

            if (hr is { MayBeInfinite: true })
            {
                // the events separate the groups (coxph: "coefficient may be infinite"): the page must say so, not print a number
                hr = null;
            }
        }

        if (hr is not null)
        {
            AssertNumber(hr.HazardRatio, await chart.GetAttributeAsync("data-hr"), $"{where} HR");
            Assert.Contains($"Cox HR of predicted responders {F(hr.HazardRatio)} ({F(hr.HazardRatioLower)}–{F(hr.HazardRatioUpper)}), p = {P(hr.P)}", text, StringComparison.Ordinal);
            compared.HazardRatio++;
        }
        else
        {
            compared.NotEstimable++;
            Assert.Equal("", await chart.GetAttributeAsync("data-hr"));
            Assert.Contains("Cox HR of predicted responders not estimable:", text, StringComparison.Ordinal);
        }
    }

    private static async Task ExpectTracesAsync(ILocator section, string chart, int traces, string where)
    {
        var element = section.Locator($"[data-testid={chart}]");
        Assert.True(await element.CountAsync() == 1, $"{where}: no {chart}");
        Assert.True(traces.ToString(CultureInfo.InvariantCulture) == await element.GetAttributeAsync("data-traces"),
            $"{where} {chart}: {await element.GetAttributeAsync("data-traces")} traces promised, the data call for {traces}");
        Assert.Equal(traces, await element.Locator(".js-plotly-plot .cartesianlayer .trace").CountAsync());
        Assert.Equal(traces > 0, await element.Locator(".js-plotly-plot svg.main-svg").CountAsync() > 0);
    }

    private static ILocator Parent(ILocator element) => element.Locator("xpath=..");

    private static void AssertNumber(double expected, string? shown, string what)
    {
        Assert.False(string.IsNullOrEmpty(shown), $"{what}: no number shown, expected {expected}");
        var value = double.Parse(shown, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(expected - value) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: shown {shown}, the engine gives {expected:R}");
    }

    private static bool TwoOfEach(int[] labels) => labels.Sum() >= 2 && labels.Length - labels.Sum() >= 2;

    /// <summary>The page's rounding: three decimals, a dash when not finite (the dashboard's rule).</summary>
    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string P(double p) => p < 0.001 ? "< 0.001" : F(p);

    /// <summary>
    /// The command line on the demo's data folder, as a user would run it: the smallest network that trains (1 epoch,
    /// crop 32), its features and a mixture of at most 2 components, DERBY and DERBY+ (20 trees) made active, every
    /// cohort scored by both.
    /// </summary>
    private async Task<(string Derby, string DerbyPlus)> TrainAndScoreAsync()
    {
        var network = Json(await CliAsync("network", "train", "--cohort", "training", "--epochs", "1", "--crop", "32", "--seed", "7", "--device", "cpu")).GetProperty("version").GetString()!;
        await CliAsync("network", "extract", "--version", network);
        await CliAsync("network", "gmm", "--version", network, "--k-max", "2");
        // The small demo's training (7 usable patients) and histology (5) cohorts are below a model's minimum of 10: imaged
        // patients with lesions, outcomes and IHC join them by a patients import (their other cohorts kept), as a site would.
        var csv = Directory.CreateDirectory(Path.Combine(demo.DataDirectory, "dashboard-test")).FullName;
        foreach (var (site, rows) in JoinedCohorts)
        {
            var file = Path.Combine(csv, $"{site}.csv");
            await File.WriteAllTextAsync(file, "pseudonym,treatment_arm,cohorts\n" + string.Concat(rows.Select(r => r + "\n")));
            Assert.Equal("succeeded", Json(await CliAsync("import", "patients", "--site", site, "--file", file)).GetProperty("status").GetString());
        }

        var versions = new List<string>();
        foreach (var kind in new[] { "derby", "derby-plus" })
        {
            var version = Json(await CliAsync("train", "--model", kind, "--network", network, "--trees", "20", "--seed", "3")).GetProperty("version").GetString()!;
            await CliAsync("model", "activate", "--version", version);
            versions.Add(version);
        }

        foreach (var cohort in Cohorts)
        {
            foreach (var version in versions)
            {
                await CliAsync("score", "--cohort", cohort, "--model", version);
            }
        }

        return (versions[0], versions[1]);
    }

    /// <summary>Rows of the patients imports: the demo's treatment arm and cohorts of each patient, plus training and/or histology.</summary>
    private static readonly (string Site, string[] Rows)[] JoinedCohorts =
    [
        ("ZSH", ["ZSH-0005,folfox_bevacizumab,internal-validation;training", "ZSH-0009,folfox_bevacizumab,internal-validation;training",
            "ZSH-0011,folfox,negative-validation;histology", "ZSH-0012,folfox,negative-validation;training;histology"]),
        ("ZSHX", ["ZSHX-0001,folfox_bevacizumab,external-validation;training;histology", "ZSHX-0002,folfox_bevacizumab,external-validation;training;histology"]),
        ("HWMU", ["HWMU-0001,folfox_bevacizumab,external-validation;training;histology", "HWMU-0002,folfox_bevacizumab,external-validation;histology"]),
    ];

    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout).RootElement.Clone();

    private async Task<string> CliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DemoServer.RepositoryRoot() };
        start.ArgumentList.Add(Path.Combine(DemoServer.RepositoryRoot(), "derby"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["Derby__DataDirectory"] = demo.DataDirectory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"derby {string.Join(' ', args)} failed ({process.ExitCode}):\n{await stderr}");
        return await stdout;
    }

    /// <summary>How many shown numbers were compared with the engine's, and how many reasons were checked in their place.</summary>
    private sealed class Compared
    {
        public int Auc { get; set; }

        public int Accuracy { get; set; }

        public int Brier { get; set; }

        public int LogRank { get; set; }

        public int HazardRatio { get; set; }

        public int NotEstimable { get; set; }

        public override string ToString() =>
            $"AUC {Auc}, sensitivity/specificity {Accuracy}, Brier {Brier}, log-rank {LogRank}, HR {HazardRatio}, not estimable {NotEstimable}";
    }

    private sealed record PatientOutcome(bool Responder, double PfsMonths, bool PfsEvent, double OsMonths, bool OsEvent);

    /// <summary>A model version's scores as the dashboard must use them: cross-validated in its own training cohort, else the newest current prediction.</summary>
    private sealed record ModelData(string Version, string Cohort, double Threshold, IReadOnlyDictionary<Guid, (double Trs, JsonElement Signatures)> Predictions,
        IReadOnlyDictionary<Guid, double> CrossValidated)
    {
        public double? Score(string cohort, Guid patient) =>
            cohort == Cohort ? CrossValidated.TryGetValue(patient, out var cv) ? cv : null
                : Predictions.TryGetValue(patient, out var p) ? p.Trs : null;

        public double? Signature(Guid patient, string name) =>
            Predictions.TryGetValue(patient, out var p) && p.Signatures.ValueKind == JsonValueKind.Array
                ? p.Signatures.EnumerateArray().Where(s => s.GetProperty("name").GetString() == name)
                    .Select(s => s.TryGetProperty("score", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null).FirstOrDefault()
                : null;
    }

    /// <summary>The study as stored: read with plain SQL from the demo's database and the model store, not through the app.</summary>
    private sealed class Study
    {
        public required IReadOnlyList<string> Sites { get; init; }

        public required IReadOnlyDictionary<Guid, string> SiteOf { get; init; }

        public required ILookup<string, Guid> Membership { get; init; }

        public required IReadOnlyDictionary<Guid, PatientOutcome> Outcomes { get; init; }

        public required IReadOnlyDictionary<string, ModelData> Models { get; init; }

        public IEnumerable<Guid> Members(string cohort, string? site) => Membership[cohort].Distinct().Where(m => site is null || SiteOf[m] == site);

        public static Study Read(string dataDirectory, string derby, string derbyPlus)
        {
            using var db = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "derby.db")};Mode=ReadOnly");
            db.Open();
            var sites = Query(db, "SELECT Id, Code FROM Sites", r => (r.GetInt32(0), r.GetString(1))).ToDictionary(s => s.Item1, s => s.Item2);
            var siteOf = Query(db, "SELECT Id, SiteId FROM Patients", r => (Guid.Parse(r.GetString(0)), r.GetInt32(1))).ToDictionary(p => p.Item1, p => sites[p.Item2]);
            var membership = Query(db, "SELECT c.Code, m.PatientId FROM CohortMemberships m JOIN Cohorts c ON c.Id = m.CohortId",
                r => (r.GetString(0), Guid.Parse(r.GetString(1)))).ToLookup(m => m.Item1, m => m.Item2);
            var outcomes = Query(db, "SELECT PatientId, BestResponse, PfsMonths, PfsEvent, OsMonths, OsEvent FROM Outcomes",
                r => (Guid.Parse(r.GetString(0)), new PatientOutcome(r.GetString(1) is "CompleteResponse" or "PartialResponse", r.GetDouble(2), r.GetBoolean(3),
                    r.GetDouble(4), r.GetBoolean(5)))).ToDictionary(o => o.Item1, o => o.Item2);
            var models = new Dictionary<string, ModelData>();
            foreach (var (name, version) in new[] { (Derby, derby), (DerbyPlus, derbyPlus) })
            {
                var (id, manifestJson) = Query(db, "SELECT Id, ManifestJson FROM ModelVersions WHERE Version = $v", r => (r.GetInt32(0), r.GetString(1)), ("$v", version)).Single();
                using var manifest = JsonDocument.Parse(manifestJson);
                var predictions = new Dictionary<Guid, (double, JsonElement)>();
                foreach (var (patient, trs, signatures) in Query(db, "SELECT PatientId, Trs, SignaturesJson FROM Predictions WHERE ModelVersionId = $id AND IsStale = 0 ORDER BY CreatedUtc",
                    r => (Guid.Parse(r.GetString(0)), r.GetDouble(1), r.IsDBNull(2) ? default : JsonDocument.Parse(r.GetString(2)).RootElement.Clone()), ("$id", id)))
                {
                    predictions[patient] = (trs, signatures);  // the newest wins
                }

                var cvSha = manifest.RootElement.GetProperty("crossValidationSha256").GetString()!;
                using var cv = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDirectory, "store", "models", cvSha[..2], cvSha[2..4], cvSha)));
                models[name] = new ModelData(version, manifest.RootElement.GetProperty("cohort").GetString()!, manifest.RootElement.GetProperty("threshold").GetDouble(),
                    predictions, cv.RootElement.GetProperty("trs").EnumerateObject().ToDictionary(p => Guid.Parse(p.Name), p => p.Value.GetDouble()));
            }

            return new Study { Sites = [.. sites.Values.Order(StringComparer.Ordinal)], SiteOf = siteOf, Membership = membership, Outcomes = outcomes, Models = models };
        }

        private static List<T> Query<T>(SqliteConnection db, string sql, Func<SqliteDataReader, T> read, params (string Name, object Value)[] parameters)
        {
            using var command = db.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    }
}
