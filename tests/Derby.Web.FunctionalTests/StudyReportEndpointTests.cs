using Derby.Application.Reports;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// GET /dashboard/report (ADR 21): the printable study report as one self-contained HTML page for administrators and
/// principal investigators, 403 for coordinators and reviewers; the dashboard page links to it with its filter.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class StudyReportEndpointTests(DerbyWebFactory app)
{
    [Fact]
    public async Task Report_IsHtmlForPisAndAdmins_AndForbiddenToCoordinatorsAndReviewers()
    {
        foreach (var (user, _, _) in DerbyWebFactory.Accounts)
        {
            var client = await app.SignInAsync(user);
            var response = await client.GetAsync("/dashboard/report?cohort=training");
            if (user is "admin" or "pi")
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
                var html = await response.Content.ReadAsStringAsync();
                Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
                Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
                foreach (var (id, title) in StudyReport.FixedSections)
                {
                    Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
                    Assert.Contains($"<h2>{System.Net.WebUtility.HtmlEncode(title)}</h2>", html, StringComparison.Ordinal);
                }

                var page = await client.GetStringAsync("/dashboard?cohort=training&bySite=true");
                Assert.Contains("href=\"/dashboard/report?cohort=training&amp;bySite=true\"", page, StringComparison.Ordinal);
            }
            else
            {
                if (response.StatusCode == HttpStatusCode.Redirect)
                {
                    response = await client.GetAsync(response.Headers.Location);
                }

                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.DoesNotContain("report-section", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("pi")).GetAsync("/dashboard/report?cohort=no-such-cohort")).StatusCode);
    }
}
