namespace Derby.Application.Access;

/// <summary>
/// What one signed-in user may see and change. Site coordinators see and edit their own sites' patients;
/// principal investigators, reviewers and admins read every site; only admins manage sites, cohorts and users.
/// </summary>
public sealed record AccessScope(string UserName, IReadOnlySet<string> Roles, IReadOnlySet<int> CoordinatedSiteIds)
{
    /// <summary>The command line and background jobs act as the system, with every right.</summary>
    public static AccessScope System { get; } = new("system", new HashSet<string>(DerbyRoles.All), new HashSet<int>());

    public bool IsSystem => ReferenceEquals(this, System);

    public bool IsAdmin => Roles.Contains(DerbyRoles.Admin);

    public bool ReadsAllSites =>
        IsSystem || IsAdmin || Roles.Contains(DerbyRoles.PrincipalInvestigator) || Roles.Contains(DerbyRoles.Reviewer);

    public bool CanManageStudy => IsSystem || IsAdmin;

    /// <summary>Networks, models and the study dashboards are for administrators and principal investigators.</summary>
    public bool CanRunAnalyses => IsSystem || IsAdmin || Roles.Contains(DerbyRoles.PrincipalInvestigator);

    public bool CanRead(int siteId) => ReadsAllSites || CoordinatedSiteIds.Contains(siteId);

    /// <summary>Patient data is entered by the site's own coordinators (and by the system on import jobs).</summary>
    public bool CanEdit(int siteId) =>
        IsSystem || (Roles.Contains(DerbyRoles.SiteCoordinator) && CoordinatedSiteIds.Contains(siteId));
}
