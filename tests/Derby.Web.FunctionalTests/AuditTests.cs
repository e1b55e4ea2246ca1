using System.Text.Json;
using Derby.Application.Audit;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The audit trail in the real app: administrators and principal investigators see every event and check the chain;
/// a site coordinator sees only the events of its site (an event of another site is not among them) and may not check
/// the whole chain; reviewers see none. The page answers the same people.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class AuditTests(DerbyWebFactory app)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AuditTrail_IsForAdminsPisAndTheirOwnSitesCoordinators_AndTheChainVerifies()
    {
        var pi = await app.SignInAsync("pi");
        var all = (await pi.GetFromJsonAsync<AuditPage>("/api/audit", Json))!;
        Assert.True(all.Total > 0, "no audit events in the test study");
        var sites = all.Events.Select(e => e.Site).OfType<string>().ToHashSet();
        Assert.Contains("ZSH", sites);

        var verdict = (await pi.GetFromJsonAsync<AuditVerification>("/api/audit/verify", Json))!;
        Assert.True(verdict.Intact, verdict.Problem);
        Assert.True(verdict.Events >= all.Total);

        var zsh = await app.SignInAsync("zsh-coordinator");
        var own = (await zsh.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=500", Json))!;
        Assert.True(own.Total > 0);
        Assert.All(own.Events, e => Assert.Equal("ZSH", e.Site));
        Assert.Equal(HttpStatusCode.NotFound, (await zsh.GetAsync("/api/audit?site=HWMU")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await zsh.GetAsync("/api/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await zsh.GetAsync("/audit")).StatusCode);

        var reviewer = await app.SignInAsync("reviewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/audit/verify")).StatusCode);
        var page = await reviewer.GetAsync("/audit");
        if (page.StatusCode == HttpStatusCode.Redirect)
        {
            page = await reviewer.GetAsync(page.Headers.Location);
        }

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);

        var html = await pi.GetStringAsync("/audit");
        Assert.Equal(1, Html.CountTestId(html, "audit-verify"));
        Assert.Equal(1, Html.CountTestId(html, "audit-events"));
        Assert.Equal(HttpStatusCode.BadRequest, (await pi.GetAsync("/api/audit?page=-1")).StatusCode);
    }
}
