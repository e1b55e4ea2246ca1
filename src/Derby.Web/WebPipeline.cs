using Derby.Infrastructure.Data;
using Derby.Web.Components;
using Derby.Web.Endpoints;
using Derby.Web.Security;
using Hangfire;

namespace Derby.Web;

public static class WebPipeline
{
    /// <summary>Applies migrations and reference data before the app takes requests.</summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync();
    }

    public static WebApplication UseDerbyPipeline(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<Security.SecurityOptions>();
        // First, so that HTTPS (HSTS, Secure cookies) and the client's address are what the trusted proxy saw.
        if (security.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        if (!security.HttpsCookies)
        {
            app.Logger.LogWarning("Derby:Security:HttpsCookies is off: sign-in cookies are not marked Secure. Only for a plain-HTTP loopback demo.");
        }

        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        // Inside the exception handler, so that a body found too large while being read answers 413 with its reason.
        app.UseRequestBodyLimits(security.MaxRequestBodyBytes);

        // Unknown page addresses get the not-found page; the API, DICOMweb, the job dashboard, the health endpoints (503 when
        // not ready) and form posts keep their bare status codes.
        app.UseWhen(ctx => HttpMethods.IsGet(ctx.Request.Method)
                && !ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/jobs")
                && !ctx.Request.Path.StartsWithSegments("/dicomweb") && !ctx.Request.Path.StartsWithSegments("/health"),
            branch => branch.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapDerbyEndpoints(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapApiEndpoints();
        app.MapLesionEndpoints();
        app.MapNetworkEndpoints();
        app.MapModelEndpoints();
        app.MapDashboardEndpoints();
        app.MapAuditEndpoints();
        app.MapDicomWebEndpoints();
        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            // Access is decided by the endpoint's policy below, not by Hangfire's local-requests-only default.
            Authorization = [],
            DashboardTitle = "Derby jobs",
            AppPath = "/",
        }).RequireAuthorization(WebServices.AdminPolicy);
        return app;
    }
}
