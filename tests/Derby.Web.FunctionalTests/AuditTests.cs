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

    [Fact]
    public async Task EveryJobRun_IsAStartedAndASucceededEvent()
    {
        var (_, jobId) = app.Services.GetRequiredService<Derby.Infrastructure.Jobs.JobDiagnostics>().EnqueueProbes(1, "default", 0).Single();
        var pi = await app.SignInAsync("pi");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<AuditEventView> events;
        while ((events = (await pi.GetFromJsonAsync<AuditPage>("/api/audit?action=job.&pageSize=500", Json))!.Events
                   .Where(e => e.Details is { } d && d.Contains($"\"jobId\":\"{jobId}\"", StringComparison.Ordinal)).ToList()).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the probe job's audit events did not appear within 60 s ({events.Count})");
            await Task.Delay(200);
        }

        // Newest first: the end, then the start, both by the system, naming the job's type and queue.
        Assert.Equal(["job.succeeded", "job.started"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal("system", e.Actor));
        Assert.All(events, e => Assert.Contains("\"type\":\"ProbeJob.RunAsync\",\"queue\":\"default\"", e.Details));
        Assert.True((await pi.GetFromJsonAsync<AuditVerification>("/api/audit/verify", Json))!.Intact);
    }

    [Fact]
    public async Task SignIns_FailedSignIns_SignOuts_AndExports_AreAuditEvents_AndTheChainStaysIntact()
    {
        // A wrong password for the reviewer, then the right one, then a sign-out; a PI downloads a CSV table.
        var attempt = app.Anonymous();
        var failed = await DerbyWebFactory.SignInAsync(attempt, "reviewer", "not-the-password");
        Assert.Contains("error=invalid", failed.Headers.Location?.OriginalString);
        var reviewer = await app.SignInAsync("reviewer");
        await DerbyWebFactory.UseAntiforgeryAsync(reviewer);
        var signOut = await reviewer.PostAsync("/account/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var pi = await app.SignInAsync("pi");
        Assert.Equal(HttpStatusCode.OK, (await pi.GetAsync("/api/dashboard/characteristics.csv")).StatusCode);

        var account = (await pi.GetFromJsonAsync<AuditPage>("/api/audit?action=account.&pageSize=500", Json))!.Events;
        var fail = account.First(e => e.Action == "account.sign-in-failed");
        Assert.Equal("anonymous", fail.Actor);
        Assert.Contains("\"userName\":\"reviewer\"", fail.Details);
        var newestReviewer = account.Where(e => e.Actor == "reviewer").Select(e => e.Action).ToList();
        Assert.Equal(["account.signed-out", "account.signed-in"], newestReviewer.Take(2));
        var export = (await pi.GetFromJsonAsync<AuditPage>("/api/audit?action=export.csv", Json))!.Events.First();
        Assert.Equal("pi", export.Actor);
        Assert.Contains("\"table\":\"characteristics\"", export.Details);

        var verdict = (await pi.GetFromJsonAsync<AuditVerification>("/api/audit/verify", Json))!;
        Assert.True(verdict.Intact, verdict.Problem);
    }

    [Fact]
    public async Task SiteCohortAndAccountChanges_AreAuditEvents_WithBeforeAndAfter_AndNeverAPassword()
    {
        var admin = new Derby.Application.Access.AccessScope("admin", new HashSet<string> { Derby.Application.Access.DerbyRoles.Admin }, new HashSet<int>());
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        string password, reset;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var study = scope.ServiceProvider.GetRequiredService<Derby.Application.Study.StudyService>();
            await study.SaveSiteAsync(admin, $"S{tag}", "First name");
            await study.SaveSiteAsync(admin, $"S{tag}", "Second name");
            await study.SaveCohortAsync(admin, $"c-{tag.ToLowerInvariant()}", "Cohort", Derby.Domain.CohortKind.Training, null);
            var users = scope.ServiceProvider.GetRequiredService<Derby.Application.Users.IUserAdministration>();
            password = await users.CreateAsync(admin, $"user-{tag.ToLowerInvariant()}", Derby.Application.Access.DerbyRoles.SiteCoordinator, ["ZSH"]);
            await users.SetSitesAsync(admin, $"user-{tag.ToLowerInvariant()}", ["HWMU", $"S{tag}"]);
            reset = await users.ResetPasswordAsync(admin, $"user-{tag.ToLowerInvariant()}");
            await users.SetLockedAsync(admin, $"user-{tag.ToLowerInvariant()}", true);
        }

        var pi = await app.SignInAsync("pi");
        var events = (await pi.GetFromJsonAsync<AuditPage>("/api/audit?pageSize=100", Json))!.Events
            .Where(e => e.EntityId?.Contains(tag, StringComparison.OrdinalIgnoreCase) == true).Reverse().ToList();
        Assert.Equal(["site.created", "site.updated", "cohort.created", "user.created", "user.sites-changed", "user.password-reset", "user.locked"],
            events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal("admin", e.Actor));
        var renamed = JsonDocument.Parse(events[1].Details!).RootElement;
        Assert.Equal(("First name", "Second name"), (renamed.GetProperty("before").GetProperty("name").GetString(), renamed.GetProperty("after").GetProperty("name").GetString()));
        Assert.Equal($"S{tag}", events[1].Site);
        var sites = JsonDocument.Parse(events[4].Details!).RootElement;
        Assert.Equal(["ZSH"], sites.GetProperty("before").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["HWMU", $"S{tag}"], sites.GetProperty("after").EnumerateArray().Select(v => v.GetString()));
        Assert.All(events, e => Assert.False(e.Details?.Contains(password, StringComparison.Ordinal) == true || e.Details?.Contains(reset, StringComparison.Ordinal) == true));
    }
}
