using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Tokens;
using Microsoft.EntityFrameworkCore;

namespace Derby.Web.FunctionalTests;

/// <summary>Site API tokens: issued by admins only, kept hashed, revocable.</summary>
[Collection(WebCollection.Name)]
public sealed class SiteTokenTests(DerbyWebFactory app)
{
    [Fact]
    public async Task IssuedToken_IsStoredAsItsHashOnly()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var issued = await scope.ServiceProvider.GetRequiredService<SiteTokenService>().IssueAsync(AccessScope.System, "ZSH", "hash check");
        await using var db = await scope.ServiceProvider.GetRequiredService<IDerbyDbContextFactory>().CreateAsync();
        var row = await db.SiteApiTokens.AsNoTracking().SingleAsync(t => t.Id == issued.Id);

        Assert.StartsWith("derby_", issued.Secret);
        Assert.True(issued.Secret.Length >= 48);
        Assert.Equal(SiteTokenService.Hash(issued.Secret), row.TokenHash);
        Assert.NotEqual(issued.Secret, row.TokenHash);
        Assert.DoesNotContain(issued.Secret[8..], row.TokenHash + row.Prefix + row.Name);
        Assert.Equal(issued.Secret[..8], row.Prefix);
        Assert.Null(row.RevokedUtc);
    }

    [Fact]
    public async Task OnlyAdmins_IssueTokens()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<SiteTokenService>();
        var coordinator = new AccessScope("zsh-coordinator", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { 1 });

        await Assert.ThrowsAsync<ForbiddenException>(() => tokens.IssueAsync(coordinator, "ZSH", "mine"));
        var admin = new AccessScope("admin", new HashSet<string> { DerbyRoles.Admin }, new HashSet<int>());
        Assert.NotNull(await tokens.ValidateAsync((await tokens.IssueAsync(admin, "ZSH", "admin's")).Secret));
    }

    [Fact]
    public async Task RevokedToken_NoLongerValidates()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<SiteTokenService>();
        var issued = await tokens.IssueAsync(AccessScope.System, "HWMU", "to revoke");
        Assert.Equal("HWMU", (await tokens.ValidateAsync(issued.Secret))?.SiteCode);

        await tokens.RevokeAsync(AccessScope.System, issued.Id);

        Assert.Null(await tokens.ValidateAsync(issued.Secret));
        Assert.Null(await tokens.ValidateAsync(issued.Secret + "x"));
    }
}
