using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Reviews;
using Derby.Domain;

namespace Derby.Web.Endpoints;

/// <summary>
/// The review workspace over the JSON API. Reviewers, principal investigators and administrators read the queue
/// (<c>GET /api/reviews?site=&amp;cohort=&amp;model=&amp;status=&amp;awaitingAdjudication=&amp;includeStale=&amp;page=&amp;pageSize=</c>),
/// a prediction's review (<c>GET /api/reviews/{id}</c>) and its inputs re-verified (<c>GET /api/reviews/{id}/verification</c>);
/// reviewers post verdicts (<c>POST /api/reviews/{id}/verdicts</c>; 409 with the reason when the case does not take one
/// now). Site queries: <c>GET /api/tasks</c> (a coordinator's sites; everyone's for readers of every site) and
/// <c>POST /api/tasks/{id}/answer</c> (the site's coordinators). 403 for other roles.
/// </summary>
public static class ReviewEndpoints
{
    public static IEndpointRouteBuilder MapReviewEndpoints(this IEndpointRouteBuilder app)
    {
        var reviews = app.MapGroup("/api/reviews").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();
        reviews.MapGet("/", async (string? site, string? cohort, string? model, string? status, bool? awaitingAdjudication, bool? includeStale, int? page, int? pageSize,
            HttpContext http, AccessScopeProvider scopes, ReviewService service, CancellationToken ct) =>
        {
            var filter = new ReviewQueueFilter(site, cohort, model, ParseStatus(status), awaitingAdjudication, includeStale ?? false, page ?? 0, pageSize ?? 50);
            return Results.Ok(await service.QueueAsync(await scopes.GetAsync(http.User, ct), filter, ct));
        });
        reviews.MapGet("/{id:guid}", async (Guid id, HttpContext http, AccessScopeProvider scopes, ReviewService service, CancellationToken ct) =>
            Results.Ok(await service.GetAsync(await scopes.GetAsync(http.User, ct), id, ct)));
        reviews.MapGet("/{id:guid}/verification", async (Guid id, HttpContext http, AccessScopeProvider scopes, ReviewService service, CancellationToken ct) =>
            Results.Ok(await service.VerifyInputsAsync(await scopes.GetAsync(http.User, ct), id, ct)));
        reviews.MapPost("/{id:guid}/verdicts", async (Guid id, VerdictInput input, HttpContext http, AccessScopeProvider scopes, ReviewService service, CancellationToken ct) =>
            Results.Ok(await service.RecordVerdictAsync(await scopes.GetAsync(http.User, ct), id, input, ct))).AddEndpointFilter<AntiforgeryHeaderFilter>();

        var tasks = app.MapGroup("/api/tasks").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();
        tasks.MapGet("/", async (bool? includeAnswered, HttpContext http, AccessScopeProvider scopes, ReviewService service, CancellationToken ct) =>
            Results.Ok(await service.TasksAsync(await scopes.GetAsync(http.User, ct), includeAnswered ?? false, ct)));
        tasks.MapPost("/{id:guid}/answer", async (Guid id, QueryAnswerInput input, HttpContext http, AccessScopeProvider scopes, ReviewService service, CancellationToken ct) =>
            Results.Ok(await service.AnswerAsync(await scopes.GetAsync(http.User, ct), id, input, ct))).AddEndpointFilter<AntiforgeryHeaderFilter>();
        return app;
    }

    private static ReviewStatus? ParseStatus(string? status) =>
        string.IsNullOrWhiteSpace(status) ? null
        : Enum.TryParse<ReviewStatus>(status.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var s) && Enum.IsDefined(s) ? s
        : throw new ValidationFailedException([new FieldError("status", "pending, agreed, disagreed or needs-site-correction")]);
}
