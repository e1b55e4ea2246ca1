using System.Security.Claims;
using Derby.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Access;

/// <summary>Builds the <see cref="AccessScope"/> of a principal. Site bindings are read from the database on every call,
/// so revoking a coordinator's site takes effect at once, not at the next sign-in.
/// A principal carrying <see cref="SiteClaim"/> claims (a site API token, see ADR 0011) is bound to exactly those sites,
/// without a user lookup: its authentication handler has already checked the token against the database on this request.</summary>
public sealed class AccessScopeProvider(IDerbyDbContextFactory dbFactory)
{
    /// <summary>A site id the principal is bound to; set only by the site-token authentication handler.</summary>
    public const string SiteClaim = "derby:site";

    public async Task<AccessScope> GetAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return new AccessScope("anonymous", new HashSet<string>(), new HashSet<int>());
        }

        var roles = DerbyRoles.All.Where(user.IsInRole).ToHashSet();
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var sites = new HashSet<int>();
        var siteClaims = user.FindAll(SiteClaim).ToList();
        if (siteClaims.Count > 0)
        {
            sites = siteClaims.Select(c => int.Parse(c.Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        }
        else if (userId is not null && roles.Contains(DerbyRoles.SiteCoordinator))
        {
            await using var db = await dbFactory.CreateAsync(cancellationToken);
            sites = (await db.SiteAssignments.Where(a => a.UserId == userId).Select(a => a.SiteId).ToListAsync(cancellationToken))
                .ToHashSet();
        }

        return new AccessScope(user.Identity.Name ?? userId ?? "unknown", roles, sites);
    }
}
