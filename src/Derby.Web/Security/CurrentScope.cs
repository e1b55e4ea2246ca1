using Derby.Application.Access;
using Microsoft.AspNetCore.Components.Authorization;

namespace Derby.Web.Security;

/// <summary>The signed-in user's <see cref="AccessScope"/> inside a component.</summary>
public sealed class CurrentScope(AuthenticationStateProvider authentication, AccessScopeProvider provider)
{
    public async Task<AccessScope> GetAsync(CancellationToken cancellationToken = default)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return await provider.GetAsync(state.User, cancellationToken);
    }
}
