using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Derby.Application.Access;
using Derby.Application.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Derby.Web.Security;

/// <summary>
/// Scheme "SiteToken": <c>Authorization: Bearer derby_...</c>. A valid, unrevoked site API token signs the request in as a
/// site coordinator of that one site (claim <see cref="AccessScopeProvider.SiteClaim"/>), so the use cases' access rules apply unchanged.
/// The token is checked against the database on every request: revoking it takes effect at once.
/// </summary>
public sealed class SiteTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SiteTokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SiteToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked site API token");
        }

        var claims = new[]
        {
            new Claim(ClaimTypes.Name, $"token:{identity.SiteCode}:{identity.Name}"),
            new Claim(ClaimTypes.Role, DerbyRoles.SiteCoordinator),
            new Claim(AccessScopeProvider.SiteClaim, identity.SiteId.ToString(CultureInfo.InvariantCulture)),
            new Claim("derby:token", identity.Id.ToString()),
        };
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
