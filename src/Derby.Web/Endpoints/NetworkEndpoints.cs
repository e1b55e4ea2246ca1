using Derby.Application.Access;
using Derby.Application.Learning;

namespace Derby.Web.Endpoints;

/// <summary>
/// The trained networks over the JSON API: the models, for administrators and principal investigators (403 for everyone
/// else); the Grad-CAM maps stored by the feature extraction, for whoever may read the patient (404 otherwise).
/// </summary>
public static class NetworkEndpoints
{
    public static IEndpointRouteBuilder MapNetworkEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/networks").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        api.MapGet("/", async (HttpContext http, AccessScopeProvider scopes, NetworkService networks, CancellationToken ct) =>
            Results.Ok(await networks.ListAsync(await scopes.GetAsync(http.User, ct), ct)));

        // PET and CT maps of the pair, S × S each, row-major, in [0, 1]; 404 until the extraction has computed them.
        api.MapGet("/{version}/pairs/{pairId:long}/gradcam", async (string version, long pairId, HttpContext http, AccessScopeProvider scopes,
            NetworkService networks, CancellationToken ct) =>
        {
            var maps = await networks.GetGradCamAsync(await scopes.GetAsync(http.User, ct), version, pairId, ct);
            return maps is null ? Results.NotFound() : Results.Ok(maps);
        });

        var lesions = app.MapGroup("/api/lesions/{lesionId:guid}/gradcam").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        // The network versions with maps of the lesion's newest pair set, newest first.
        lesions.MapGet("/", async (Guid lesionId, HttpContext http, AccessScopeProvider scopes, NetworkService networks, CancellationToken ct) =>
            Results.Ok(await networks.GradCamVersionsAsync(await scopes.GetAsync(http.User, ct), lesionId, ct)));

        // Every pair's PET and CT maps under one network, in pair order.
        lesions.MapGet("/{version}", async (Guid lesionId, string version, HttpContext http, AccessScopeProvider scopes, NetworkService networks,
            CancellationToken ct) =>
        {
            var maps = await networks.GetLesionGradCamAsync(await scopes.GetAsync(http.User, ct), lesionId, version, cancellationToken: ct);
            return maps is null ? Results.NotFound() : Results.Ok(maps);
        });

        return app;
    }
}
