namespace Derby.Application.Access;

/// <summary>The four roles of the study. Names are stored in the database; do not rename.</summary>
public static class DerbyRoles
{
    public const string Admin = "Admin";
    public const string PrincipalInvestigator = "PrincipalInvestigator";
    public const string SiteCoordinator = "SiteCoordinator";
    public const string Reviewer = "Reviewer";

    public static IReadOnlyList<string> All { get; } = [Admin, PrincipalInvestigator, SiteCoordinator, Reviewer];
}
