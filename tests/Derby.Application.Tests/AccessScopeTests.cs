using Derby.Application.Access;

namespace Derby.Application.Tests;

public sealed class AccessScopeTests
{
    private static AccessScope Scope(string role, params int[] sites) => new("u", new HashSet<string> { role }, sites.ToHashSet());

    [Fact]
    public void SiteCoordinator_ReadsAndEditsOnlyTheirSites()
    {
        var scope = Scope(DerbyRoles.SiteCoordinator, 1);

        Assert.True(scope.CanRead(1));
        Assert.True(scope.CanEdit(1));
        Assert.False(scope.CanRead(2));
        Assert.False(scope.CanEdit(2));
        Assert.False(scope.CanManageStudy);
    }

    [Theory]
    [InlineData(DerbyRoles.PrincipalInvestigator)]
    [InlineData(DerbyRoles.Reviewer)]
    [InlineData(DerbyRoles.Admin)]
    public void OtherRoles_ReadEverySite_ButEditNone(string role)
    {
        var scope = Scope(role);

        Assert.True(scope.CanRead(1) && scope.CanRead(99));
        Assert.False(scope.CanEdit(1));
        Assert.Equal(role == DerbyRoles.Admin, scope.CanManageStudy);
    }

    [Fact]
    public void ACoordinatorRoleWithoutSites_SeesNothing()
    {
        var scope = Scope(DerbyRoles.SiteCoordinator);

        Assert.False(scope.CanRead(1));
    }
}
