using System.Text.Json;
using System.Text.Json.Serialization;
using Derby.Application.Access;
using Derby.Application.Dashboards;
using Derby.Application.Models;
using Derby.Domain;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The PI dashboard in the real app: a DERBY model trained by the job server on a study of its own (ModelApiTests'
/// writer), then the page (PI and admin: 200 with its tables and charts; coordinators and reviewers: 403), the JSON
/// and a CSV table, whose numbers are the dashboard service's.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DashboardTests(DerbyWebFactory app)
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task Dashboard_RendersForPisAndAdmins_WithTablesAndCsv_AndIsForbiddenToCoordinatorsAndReviewers()
    {
        var (network, cohort, patients) = await ModelApiTests.WriteStudyAsync(app.Services);
        var pi = await app.SignInAsync("pi");
        await DerbyWebFactory.UseAntiforgeryAsync(pi);
        var requested = await pi.PostAsJsonAsync("/api/models", new ModelTrainingRequest(NetworkVersion: network, Cohort: cohort, Trees: 40, Seed: 5));
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var version = (await requested.Content.ReadFromJsonAsync<ModelVersionView>(Json))!.Version;
        var deadline = DateTime.UtcNow.AddMinutes(4);
        ModelVersionView model;
        while ((model = (await pi.GetFromJsonAsync<ModelVersionView>($"/api/models/{version}", Json))!).Status is ModelVersionStatus.Queued or ModelVersionStatus.Training
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.True(model.Status == ModelVersionStatus.Trained, $"{model.Status}: {model.Error}");

        foreach (var (user, _, _) in DerbyWebFactory.Accounts)
        {
            var client = user == "pi" ? pi : await app.SignInAsync(user);
            var home = await client.GetStringAsync("/");
            var page = await client.GetAsync("/dashboard");
            var api = await client.GetAsync($"/api/dashboard?version={version}&cohort={cohort}");
            if (user is "admin" or "pi")
            {
                Assert.Contains("href=\"/dashboard\"", home);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                var html = await page.Content.ReadAsStringAsync();
                Assert.Equal(1, Html.CountTestId(html, "dashboard-filters"));
                Assert.Equal(1, Html.CountTestId(html, "dashboard"));
                Assert.True(Html.CountTestId(html, "performance-table") >= 1, "no Table 2");
                Assert.True(Html.CountTestId(html, "rates-table") >= 1, "no rates table");
                Assert.True(Html.CountTestId(html, "roc-chart") >= 1, "no ROC chart");
                Assert.Equal(1, Html.CountTestId(html, "csv-performance"));
                Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            }
            else
            {
                Assert.DoesNotContain("href=\"/dashboard\"", home);
                Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
                if (page.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.StartsWith("/account/access-denied", page.Headers.Location!.PathAndQuery);
                    page = await client.GetAsync(page.Headers.Location);
                }

                Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
            }
        }

        // The API's numbers are the service's: the training cohort on its cross-validated TRS.
        StudyDashboard expected;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            expected = await scope.ServiceProvider.GetRequiredService<DashboardService>().GetAsync(Pi, new DashboardFilter(version, cohort));
        }

        var section = Assert.Single(expected.Sections);
        Assert.Equal(patients.Count, section.Evaluated);
        Assert.Contains("cross-validated", section.Note);
        var json = await pi.GetFromJsonAsync<JsonElement>($"/api/dashboard?version={version}&cohort={cohort}", DashboardService.JsonOptions);
        var derby = json.GetProperty("sections")[0].GetProperty("performance").EnumerateArray().Single(r => r.GetProperty("model").GetString() == "DERBY");
        var auc = section.Performance.Single(r => r.Model == "DERBY").Auc.Value!;
        Assert.Equal(auc.Auc, derby.GetProperty("auc").GetProperty("value").GetProperty("auc").GetDouble(), 12);

        // The page shows the same numbers (invariant round-trip text in its data attributes).
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await pi.GetStringAsync($"/dashboard?version={version}&cohort={cohort}"));
        string? Attribute(string selector, string name) => document.QuerySelector(selector)?.GetAttribute(name);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(version, Attribute("[data-testid='dashboard']", "data-version"));
        Assert.Equal(cohort, Attribute("[data-testid='dashboard-section']", "data-cohort"));
        Assert.Equal(auc.Auc.ToString("R", invariant), Attribute("[data-testid='performance-row'][data-model='DERBY']", "data-auc"));
        Assert.Equal(auc.Lower.ToString("R", invariant), Attribute("[data-testid='performance-row'][data-model='DERBY']", "data-auc-lower"));
        Assert.Equal(DashboardService.Number(section.Pfs.Value?.LogRank.Value?.P), Attribute("[data-testid='km-pfs-chart']", "data-logrank-p") ?? "");
        Assert.Equal(DashboardService.Number(section.Calibration.Value?.Brier), Attribute("[data-testid='calibration-chart']", "data-brier") ?? "");
        Assert.Equal(section.Roc.Count(r => r.Points.Count > 0) + 1, int.Parse(Attribute("[data-testid='roc-chart']", "data-traces")!, invariant));

        // Table 1 (one cohort: nothing to test against), the model's figures, and a PNG and an SVG export under every chart.
        Assert.Equal(expected.Characteristics.Variables.Count, int.Parse(Attribute("[data-testid='characteristics-table']", "data-variables")!, invariant));
        Assert.Equal(patients.Count.ToString(invariant), Attribute("[data-testid='characteristics-column']", "data-patients"));
        Assert.Equal(expected.Figures!.Lasso.Candidates.Count + 2, int.Parse(Attribute("[data-testid='lasso-path-chart']", "data-traces")!, invariant));
        Assert.Equal(expected.Figures.PartialDependence.Curves.Count, document.QuerySelectorAll("[data-testid='pd-chart']").Length);
        var charts = document.QuerySelectorAll(".derby-chart").Length;
        // Plotly draws into the element with the chart's id: two charts with one id would leave one of them blank.
        var ids = document.QuerySelectorAll(".derby-chart > div[id]").Select(e => e.Id).ToList();
        Assert.Equal(charts, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(charts >= 8, $"{charts} charts");
        Assert.Equal(charts, document.QuerySelectorAll("[data-testid='export-png']").Length);
        Assert.Equal(charts, document.QuerySelectorAll("[data-testid='export-svg']").Length);
        var table1 = await pi.GetStringAsync($"/api/dashboard/characteristics.csv?version={version}&cohort={cohort}");
        Assert.StartsWith("variable,summary,row,cohort,known,count,percent,mean,sd,median,min,max", table1);
        Assert.Contains($"SUVmax,mean ± SD,mean ± SD,{cohort},", table1);

        // A date range that ends before it starts is refused with the reason; so is a date that is not one.
        var backwards = await pi.GetAsync($"/api/dashboard?cohort={cohort}&from=2026-02-01&to=2026-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("ends (2026-01-01) before it starts (2026-02-01)", await backwards.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await pi.GetAsync($"/api/dashboard?cohort={cohort}&from=yesterday")).StatusCode);

        var csv = await pi.GetAsync($"/api/dashboard/performance.csv?version={version}&cohort={cohort}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cohort,site,model,version,patients,responders,threshold,auc,", lines[0]);
        var row = lines.Single(l => l.StartsWith($"{cohort},,DERBY,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(auc.Auc.ToString("R", System.Globalization.CultureInfo.InvariantCulture), row[7]);
        Assert.Equal(HttpStatusCode.NotFound, (await pi.GetAsync("/api/dashboard/nope.csv")).StatusCode);

        // plotly.js is served by the app itself (no CDN): the charts work offline.
        foreach (var asset in new[] { "/_content/Plotly.Blazor/plotly-interop-7.2.0.js", "/_content/Plotly.Blazor/plotly-3.7.0.min.js" })
        {
            var response = await pi.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await pi.GetAsync("/api/dashboard?cohort=no-such-cohort")).StatusCode);
    }
}
