using Derby.Application.Access;
using Derby.Application.Audit;

namespace Derby.Web.Endpoints;

/// <summary>
/// The audit trail over the API: <c>GET /api/audit?site=&amp;action=&amp;page=&amp;pageSize=</c> (administrators and principal
/// investigators: every event; site coordinators: their sites' events; reviewers: 403) and <c>GET /api/audit/verify</c>
/// (administrators and principal investigators) with the chain's verdict.
/// </summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();
        api.MapGet("/", async (string? site, string? action, int? page, int? pageSize, HttpContext http, AccessScopeProvider scopes, AuditService audit,
            CancellationToken ct) =>
            Results.Ok(await audit.ListAsync(await scopes.GetAsync(http.User, ct), new AuditQuery(site, action, page ?? 0, pageSize ?? 50), ct)));
        api.MapGet("/verify", async (HttpContext http, AccessScopeProvider scopes, AuditService audit, CancellationToken ct) =>
            Results.Ok(await audit.VerifyAsync(await scopes.GetAsync(http.User, ct), ct)));
        return app;
    }
}
