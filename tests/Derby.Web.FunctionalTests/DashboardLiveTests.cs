using Bunit;
using Derby.Application.Access;
using Derby.Application.Dashboards;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Derby.Web.Components.Pages.Dashboard;
using Derby.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The dashboard page on a live circuit (bUnit, the app's own services and database behind it): when an outcome changes,
/// the page picks up the new data version within its 2 s poll and re-renders with the recomputed numbers, without a reload.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DashboardLiveTests(DerbyWebFactory app)
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

    [Fact]
    public async Task Page_FollowsAChangedOutcome_WithoutAReload()
    {
        var (network, cohort, patients) = await ModelApiTests.WriteStudyAsync(app.Services);
        string version;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var models = scope.ServiceProvider.GetRequiredService<ModelService>();
            var requested = await models.RequestTrainingAsync(Pi, new ModelTrainingRequest(NetworkVersion: network, Cohort: cohort, Trees: 30, Seed: 9));
            version = requested.Version;
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while ((await models.GetAsync(Pi, version)).Status is ModelVersionStatus.Queued or ModelVersionStatus.Training && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            Assert.Equal(ModelVersionStatus.Trained, (await models.GetAsync(Pi, version)).Status);
        }

        await using var appScope = app.Services.CreateAsyncScope();
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.AddAuthorization().SetAuthorized("pi").SetRoles(DerbyRoles.PrincipalInvestigator);
        var scopes = appScope.ServiceProvider.GetRequiredService<AccessScopeProvider>();
        ctx.Services.AddScoped(sp => new CurrentScope(sp.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>(), scopes));
        ctx.Services.AddFallbackServiceProvider(appScope.ServiceProvider);
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/dashboard?version={version}&cohort={cohort}");

        var page = ctx.Render<DashboardPage>();
        page.WaitForAssertion(() => Assert.Equal(version, page.Find("[data-testid='dashboard']").GetAttribute("data-version")), TimeSpan.FromSeconds(30));
        var before = page.Find("[data-testid='dashboard']").GetAttribute("data-data-version");
        var responders = int.Parse(page.Find("[data-testid='dashboard-section']").GetAttribute("data-responders")!, System.Globalization.CultureInfo.InvariantCulture);

        // A non-responder of the cohort turns out to respond (as the outcome form or a CSV import would record it).
        await using (var db = await appScope.ServiceProvider.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync())
        {
            var outcome = await db.Outcomes.Where(o => patients.Contains(o.PatientId)).ToListAsync();
            var changed = outcome.First(o => !o.IsResponder);
            changed.BestResponse = RecistResponse.PartialResponse;
            changed.UpdatedUtc = DateTime.UtcNow.AddSeconds(1);
            await db.SaveChangesAsync();
        }

        page.WaitForAssertion(() =>
        {
            Assert.NotEqual(before, page.Find("[data-testid='dashboard']").GetAttribute("data-data-version"));
            Assert.Equal((responders + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-testid='dashboard-section']").GetAttribute("data-responders"));
        }, TimeSpan.FromSeconds(15));
    }
}
