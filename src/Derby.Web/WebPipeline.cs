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
        if (security.HttpsCookies)
        {
            // Served over HTTPS only: over plain HTTP the Secure cookies could not come back (and anti-forgery refuses to
            // issue them), so say why instead of failing obscurely. Health checks stay reachable over the loopback port.
            app.UseWhen(ctx => !ctx.Request.IsHttps && !ctx.Request.Path.StartsWithSegments("/health"), branch => branch.Run(ctx =>
                Results.Problem(
                    "This installation is served over HTTPS only (Derby:Security:HttpsCookies), but the request arrived over plain HTTP. " +
                    "If a reverse proxy terminates TLS, list its address in Derby:Security:KnownProxies so that its X-Forwarded-Proto is believed.",
                    statusCode: StatusCodes.Status400BadRequest, title: "HTTPS required").ExecuteAsync(ctx)));
        }

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
        // A form post (page or endpoint) whose anti-forgery token the middleware above found missing or invalid: one clear
        // answer for all of them, instead of each endpoint's bare 400.
        app.Use(async (ctx, next) =>
        {
            if (ctx.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false } antiforgery)
            {
                // The token could not even be read because the form broke a limit (a field over the form value length, too many
                // fields): say that, not "expired".
                if (antiforgery.Error is InvalidDataException or { InnerException: InvalidDataException })
                {
                    await Results.Problem($"The form is larger than this site accepts (at most {WebServices.MaxFormValueLength:N0} characters a field): "
                        + "shorten it and send it again; nothing was stored.", statusCode: StatusCodes.Status400BadRequest, title: "Form too large").ExecuteAsync(ctx);
                    return;
                }

                await Results.Problem("This form has expired or did not come from this site (missing or invalid anti-forgery token): reload the page and try again.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Anti-forgery check failed").ExecuteAsync(ctx);
                return;
            }

            await next();
        });
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
        app.MapReviewEndpoints();
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
