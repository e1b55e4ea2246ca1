using Derby.Application.Access;
using Derby.Application.Segmentation;
using Derby.Imaging.Segmentation;

namespace Derby.Web.Endpoints;

/// <summary>
/// Lesion segmentation over the JSON API: the viewer's box → a queued segmentation job → the mask and measures → accept or
/// discard (which queues the 2.5D pairs). Same access rules as the pages: 404 for what the caller may not see, 403 for
/// what they may see but not change; state changes need the X-XSRF-TOKEN header.
/// </summary>
public static class LesionEndpoints
{
    /// <summary>The box a client sends: PET voxel indices, corners inclusive.</summary>
    public sealed record BoxDto(int X0, int Y0, int Z0, int X1, int Y1, int Z1);

    /// <summary>A segmentation request.</summary>
    public sealed record LesionRequestDto(Guid PetSeriesId, BoxDto Box, double? Threshold, Guid? Replaces);

    public static IEndpointRouteBuilder MapLesionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        api.MapGet("/patients/{id:guid}/lesions", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions, CancellationToken ct) =>
            Results.Ok((await lesions.ListAsync(await scopes.GetAsync(http.User, ct), id, ct)).Select(Dto)));

        api.MapPost("/patients/{id:guid}/lesions", async (Guid id, LesionRequestDto input, HttpContext http, AccessScopeProvider scopes,
            LesionService lesions, CancellationToken ct) =>
        {
            var b = input.Box ?? new BoxDto(0, 0, 0, -1, -1, -1);
            var lesion = await lesions.RequestAsync(await scopes.GetAsync(http.User, ct), id,
                new LesionRequest(input.PetSeriesId, new VoxelBox(b.X0, b.Y0, b.Z0, b.X1, b.Y1, b.Z1), input.Threshold, input.Replaces), ct);
            return Results.Accepted($"/api/lesions/{lesion.Id}", Dto(lesion));
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapGet("/lesions/{id:guid}", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions, CancellationToken ct) =>
            Results.Ok(Dto(await lesions.GetAsync(await scopes.GetAsync(http.User, ct), id, ct))));

        // The mask inside its box: one byte per voxel, z-major then row then column; the box in the X-Derby-Box header.
        api.MapGet("/lesions/{id:guid}/mask", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions, CancellationToken ct) =>
        {
            var mask = await lesions.GetMaskAsync(await scopes.GetAsync(http.User, ct), id, ct);
            if (mask is null)
            {
                return Results.NotFound();
            }

            var b = mask.Box;
            http.Response.Headers["X-Derby-Box"] = $"{b.X0},{b.Y0},{b.Z0},{b.X1},{b.Y1},{b.Z1}";
            return Results.Bytes(mask.Values, "application/octet-stream");
        });

        // The newest pair set: each pair's row id, slices, ROI area, crop origin and its crops (PET, 3 CT, mask on the crop).
        api.MapGet("/lesions/{id:guid}/pairs", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions, CancellationToken ct) =>
        {
            var pairs = await lesions.GetPairsAsync(await scopes.GetAsync(http.User, ct), id, ct);
            return pairs is null ? Results.NotFound() : Results.Ok(pairs);
        });

        // DICOM SEG of the mask on its PET series, for other viewers and archives.
        api.MapGet("/lesions/{id:guid}/seg", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions,
            Derby.Imaging.Dicom.IDicomFileWriter writer, CancellationToken ct) =>
        {
            var seg = await lesions.ExportSegAsync(await scopes.GetAsync(http.User, ct), id, ct);
            var path = Path.Combine(Path.GetTempPath(), $"derby-seg-{Guid.NewGuid():N}.dcm");
            try
            {
                writer.Write(seg, path);
                return Results.File(await File.ReadAllBytesAsync(path, ct), "application/dicom", $"lesion-{id}.dcm");
            }
            finally
            {
                File.Delete(path);
            }
        });

        api.MapPost("/lesions/{id:guid}/accept", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions, CancellationToken ct) =>
            Results.Ok(Dto(await lesions.AcceptAsync(await scopes.GetAsync(http.User, ct), id, ct)))).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapPost("/lesions/{id:guid}/discard", async (Guid id, HttpContext http, AccessScopeProvider scopes, LesionService lesions, CancellationToken ct) =>
            Results.Ok(Dto(await lesions.DiscardAsync(await scopes.GetAsync(http.User, ct), id, ct)))).AddEndpointFilter<AntiforgeryHeaderFilter>();

        return app;
    }

    private static object Dto(LesionView l) => new
    {
        l.Id,
        l.PatientId,
        l.PetSeriesId,
        Box = new BoxDto(l.Box.X0, l.Box.Y0, l.Box.Z0, l.Box.X1, l.Box.Y1, l.Box.Z1),
        Status = l.Status.ToString().ToLowerInvariant(),
        l.Error,
        l.FixedThresholdSuv,
        l.Voxels,
        l.MtvMl,
        l.SuvMax,
        l.SuvMean,
        l.SuvPeak,
        l.Tlg,
        Threshold = l.ThresholdSuv,
        Background = l.BackgroundSuv,
        l.Iterations,
        l.Converged,
        l.ThresholdHistory,
        l.Warnings,
        SuvMaxVoxel = new[] { l.SuvMaxVoxel.X, l.SuvMaxVoxel.Y, l.SuvMaxVoxel.Z },
        l.ReplacesLesionId,
        l.RequestedBy,
        l.RequestedUtc,
        l.SegmentedUtc,
        l.DecidedBy,
        l.DecidedUtc,
        Pairs = l.PairCount,
    };
}
