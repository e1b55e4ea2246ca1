using Derby.Application.Access;
using Derby.Infrastructure.Identity;
using Derby.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace Derby.Web;

public static class WebServices
{
    public const string AdminPolicy = "Admin";

    /// <summary>Blazor Server with MudBlazor, cookie sign-in over ASP.NET Core Identity, role policies and anti-forgery.</summary>
    public static IHostApplicationBuilder AddWebServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        security.Validate();
        services.AddSingleton(security);

        services.AddRazorComponents().AddInteractiveServerComponents()
            // Interactive pages send small events; InputFile streams uploads in chunks below this, so the default stays.
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 32 * 1024);
        services.AddMudServices();

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.AddScoped<CurrentScope>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        // DICOMweb clients (PACS, tools) sign in per request with a site API token; only the /dicomweb endpoints accept it.
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, SiteTokenAuthenticationHandler>(
            SiteTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(Endpoints.DicomWebEndpoints.Scheme, "Site API token or staff cookie", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? SiteTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme);
        new IdentityBuilder(typeof(DerbyUser), typeof(IdentityRole), services).AddSignInManager();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/access-denied";
            // Lax, not Strict: a link to a Derby page from mail or another site must open it signed in (ADR 23).
            ConfigureCookie(options.Cookie, security, SecurityOptions.AuthCookie, SameSiteMode.Lax);
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            // The API answers with status codes; only pages are redirected to the sign-in page.
            options.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status403Forbidden);
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, p => p.RequireRole(DerbyRoles.Admin));

        services.AddAntiforgery(options =>
        {
            options.HeaderName = "X-XSRF-TOKEN";
            ConfigureCookie(options.Cookie, security, SecurityOptions.AntiforgeryCookie, SameSiteMode.Strict);
        });

        ConfigureForwardedHeaders(services, security);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => RequestBodyLimit.ConfigureKestrel(o, security.MaxRequestBodyBytes));
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            // Forms here carry a user name, a password, a few ids and the anti-forgery token; upload endpoints raise
            // the multipart limit with their own RequestFormLimits.
            o.ValueLengthLimit = MaxFormValueLength;
            o.KeyLengthLimit = 1024;
            o.ValueCountLimit = 256;
            o.MultipartBodyLengthLimit = security.MaxRequestBodyBytes;
        });
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return builder;
    }

    /// <summary>Longest value of any form field the server reads (characters). Default 16 Ki.</summary>
    public const int MaxFormValueLength = 16 * 1024;

    /// <summary>
    /// Secure, HttpOnly, Path=/ and no Domain, with the __Host- prefix, when the app is served over HTTPS; over the
    /// plain-HTTP loopback demo, the same cookie without Secure (a browser drops Secure cookies set over HTTP).
    /// </summary>
    private static void ConfigureCookie(CookieBuilder cookie, SecurityOptions security, string name, SameSiteMode sameSite)
    {
        cookie.Name = security.CookieName(name);
        cookie.HttpOnly = true;
        cookie.SameSite = sameSite;
        cookie.Path = "/";
        cookie.Domain = null;
        cookie.SecurePolicy = security.HttpsCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
    }

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto from the configured proxies only. With none configured the middleware is not
    /// added at all (it would trust every caller with both lists empty).
    /// </summary>
    private static void ConfigureForwardedHeaders(IServiceCollection services, SecurityOptions security)
    {
        var (proxies, networks) = security.ParseKnownProxies();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
    }

    private static Task RedirectOrStatus(HttpContext context, string redirectUri, int status)
    {
        // The job dashboard is a mapped branch: its requests arrive with PathBase "/jobs".
        var path = context.Request.PathBase.Add(context.Request.Path);
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/jobs") || path.StartsWithSegments("/dicomweb"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }
}
