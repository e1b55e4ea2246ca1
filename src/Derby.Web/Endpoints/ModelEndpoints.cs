using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Models;

namespace Derby.Web.Endpoints;

/// <summary>
/// The DERBY / DERBY+ model registry over the JSON API, for administrators and principal investigators (403 for everyone
/// else): versions, training requests (refusals answer 400 with the reason per field), activation, cohort scoring,
/// the Table 2 evaluation and the figures' data. A patient's predictions are for whoever may read the patient (404
/// otherwise); scoring one patient is for administrators and principal investigators.
/// </summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/models").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        api.MapGet("/", async (HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
            Results.Ok(await models.ListAsync(await scopes.GetAsync(http.User, ct), ct)));

        api.MapGet("/{version}", async (string version, HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
            Results.Ok(await models.GetAsync(await scopes.GetAsync(http.User, ct), version, ct)));

        // Queues the training; the view is the queued version (or the same request already queued or training).
        api.MapPost("/", async (ModelTrainingRequest request, HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
        {
            var model = await models.RequestTrainingAsync(await scopes.GetAsync(http.User, ct), request, ct);
            return Results.Accepted($"/api/models/{model.Version}", model);
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapPost("/{version}/activate", async (string version, HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
            Results.Ok(await models.ActivateAsync(await scopes.GetAsync(http.User, ct), version, ct))).AddEndpointFilter<AntiforgeryHeaderFilter>();

        // Queues the scoring of a cohort's members; the answer carries the job's id.
        api.MapPost("/{version}/score", async (string version, ScoreCohortInput input, HttpContext http, AccessScopeProvider scopes, ScoringService scoring,
            CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(input.Cohort))
            {
                throw new ValidationFailedException([new FieldError("cohort", "Name the cohort to score (its code)")]);
            }

            var job = await scoring.RequestCohortScoringAsync(await scopes.GetAsync(http.User, ct), version, input.Cohort, ct);
            return Results.Accepted($"/api/models/{version}/evaluation", new { jobId = job, version, cohort = input.Cohort });
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapGet("/{version}/evaluation", async (string version, HttpContext http, AccessScopeProvider scopes, ScoringService scoring, CancellationToken ct) =>
            Results.Ok(await scoring.EvaluateAsync(await scopes.GetAsync(http.User, ct), version, ct)));

        api.MapGet("/{version}/lasso", async (string version, HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
            Results.Ok(await models.GetLassoAsync(await scopes.GetAsync(http.User, ct), version, ct)));

        api.MapGet("/{version}/partial-dependence", async (string version, HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
            Results.Ok(await models.GetPartialDependenceAsync(await scopes.GetAsync(http.User, ct), version, ct)));

        // 404 when the network's features could not be read at training (no heatmap was stored).
        api.MapGet("/{version}/heatmap", async (string version, HttpContext http, AccessScopeProvider scopes, ModelService models, CancellationToken ct) =>
            await models.GetHeatmapAsync(await scopes.GetAsync(http.User, ct), version, ct) is { } heatmap ? Results.Ok(heatmap) : Results.NotFound());

        var patients = app.MapGroup("/api/patients/{id:guid}/predictions").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        // Every version's predictions of the patient, newest first.
        patients.MapGet("/", async (Guid id, HttpContext http, AccessScopeProvider scopes, ScoringService scoring, CancellationToken ct) =>
            Results.Ok(await scoring.PredictionsAsync(await scopes.GetAsync(http.User, ct), id, ct)));

        // Scores the patient now with a version (or "derby" / "derby-plus": the active one of that kind; "derby" when none is named).
        patients.MapPost("/", async (Guid id, ScorePatientInput? input, HttpContext http, AccessScopeProvider scopes, ScoringService scoring, CancellationToken ct) =>
        {
            var scope = await scopes.GetAsync(http.User, ct);
            // A patient the caller may not read (or that does not exist) answers 404 before the role is checked.
            await scoring.PredictionsAsync(scope, id, ct);
            var summary = await scoring.ScorePatientAsync(scope, string.IsNullOrWhiteSpace(input?.Model) ? ModelKinds.Derby : input.Model, id, ct);
            return Results.Ok(summary);
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        return app;
    }
}

/// <summary>Body of POST /api/models/{version}/score.</summary>
internal sealed record ScoreCohortInput(string? Cohort);

/// <summary>Body of POST /api/patients/{id}/predictions.</summary>
internal sealed record ScorePatientInput(string? Model);
