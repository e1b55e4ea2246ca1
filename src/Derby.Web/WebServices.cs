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
        services.AddRazorComponents().AddInteractiveServerComponents();
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
            options.Cookie.Name = "derby.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
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
            options.Cookie.Name = "derby.xsrf";
        });
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return builder;
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
