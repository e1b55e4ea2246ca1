using Derby.Application.Access;
using Derby.Application.Dashboards;
using Derby.Application.Reports;

namespace Derby.Web.Endpoints;

/// <summary>
/// The principal investigators' dashboard over the API (administrators and principal investigators; 403 otherwise): the
/// whole dashboard as JSON and each of its tables as CSV, for the same filter as the page (version, cohort, site, bySite,
/// from and to: registration dates yyyy-MM-dd, both included), and the printable study report of that filter at /dashboard/report.
/// </summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/dashboard").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        api.MapGet("/", async (string? version, string? cohort, string? site, bool? bySite, DateOnly? from, DateOnly? to, HttpContext http, AccessScopeProvider scopes,
            DashboardService dashboards, CancellationToken ct) =>
            Results.Json(await dashboards.GetAsync(await scopes.GetAsync(http.User, ct), Filter(version, cohort, site, bySite, from, to), ct), DashboardService.JsonOptions));

        api.MapGet("/{table}.csv", async (string table, string? version, string? cohort, string? site, bool? bySite, DateOnly? from, DateOnly? to, HttpContext http,
            AccessScopeProvider scopes, DashboardService dashboards, Derby.Application.Audit.AuditService audit, CancellationToken ct) =>
        {
            var scope = await scopes.GetAsync(http.User, ct);
            var filter = Filter(version, cohort, site, bySite, from, to);
            var dashboard = await dashboards.GetAsync(scope, filter, ct);
            if (DashboardCsv.Write(dashboard, table) is not { } csv)
            {
                return Results.NotFound();
            }

            await audit.RecordAsync(scope.UserName, "export.csv", new { table, filter }, ct);
            return Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", $"derby-{table}.csv");
        });

        // The printable study report (ADR 21): one self-contained HTML page the browser prints to PDF as is.
        app.MapGet("/dashboard/report", async (string? version, string? cohort, string? site, bool? bySite, DateOnly? from, DateOnly? to, HttpContext http,
            AccessScopeProvider scopes, StudyReportService reports, Derby.Application.Audit.AuditService audit, CancellationToken ct) =>
        {
            var scope = await scopes.GetAsync(http.User, ct);
            var filter = Filter(version, cohort, site, bySite, from, to);
            var (_, html) = await reports.BuildAsync(scope, filter, ct);
            await audit.RecordAsync(scope.UserName, "export.report", new { filter }, ct);
            return Results.Content(html, "text/html; charset=utf-8");
        }).RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        return app;
    }

    /// <summary>The filter of the query string (empty values: none).</summary>
    public static DashboardFilter Filter(string? version, string? cohort, string? site, bool? bySite, DateOnly? from = null, DateOnly? to = null) =>
        new(string.IsNullOrWhiteSpace(version) ? null : version, string.IsNullOrWhiteSpace(cohort) ? null : cohort, string.IsNullOrWhiteSpace(site) ? null : site,
            bySite ?? false, from, to);

    /// <summary>The query string of a filter, for the page's download links.</summary>
    public static string Query(DashboardFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("version", filter.ModelVersion);
        Add("cohort", filter.Cohort);
        Add("site", filter.Site);
        Add("bySite", filter.BySite ? "true" : null);
        Add("from", filter.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Add("to", filter.To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
