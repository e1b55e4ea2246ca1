using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Dashboards;
using Derby.Application.Models;

namespace Derby.Application.Reports;

/// <summary>
/// The printable study report of a dashboard filter: the same <see cref="StudyDashboard"/> as the page (from the shared
/// cache) and the provenance of the model versions it shows, written by <see cref="StudyReport"/>. Administrators and
/// principal investigators only, as the dashboard.
/// </summary>
public sealed class StudyReportService(DashboardService dashboards, ModelService models, IClock clock)
{
    /// <summary>The dashboard of the filter and its report (HTML).</summary>
    /// <exception cref="ForbiddenException">Not an administrator or principal investigator.</exception>
    /// <exception cref="NotFoundException">No such model version, cohort or site.</exception>
    public async Task<(StudyDashboard Dashboard, string Html)> BuildAsync(AccessScope scope, DashboardFilter filter, CancellationToken cancellationToken = default)
    {
        var dashboard = await dashboards.GetAsync(scope, filter, cancellationToken);
        var versions = new[] { dashboard.ModelVersion, dashboard.DerbyVersion, dashboard.DerbyPlusVersion }.OfType<string>().Distinct().ToList();
        var provenance = new List<ModelProvenance>();
        foreach (var version in versions)
        {
            provenance.Add(await models.GetProvenanceAsync(AccessScope.System, version, cancellationToken));
        }

        return (dashboard, StudyReport.Html(dashboard, provenance, clock.UtcNow));
    }
}
