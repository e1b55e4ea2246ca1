using Derby.Application.Access;

namespace Derby.Application.Users;

public sealed record UserSummary(string Id, string UserName, IReadOnlyList<string> Roles, IReadOnlyList<string> SiteCodes, bool LockedOut);

/// <summary>Staff accounts (never patients). Passwords are generated, returned once and stored only as hashes.</summary>
public interface IUserAdministration
{
    Task<IReadOnlyList<UserSummary>> ListAsync(AccessScope scope, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Creates an account with one role (site coordinators with their sites) and returns its generated password.</summary>
    Task<string> CreateAsync(AccessScope scope, string userName, string role, IReadOnlyList<string> siteCodes, CancellationToken cancellationToken = default);

    /// <summary>Sets a new generated password, ends any lockout, and returns the password.</summary>
    Task<string> ResetPasswordAsync(AccessScope scope, string userName, CancellationToken cancellationToken = default);

    /// <summary>Replaces a site coordinator's sites.</summary>
    Task SetSitesAsync(AccessScope scope, string userName, IReadOnlyList<string> siteCodes, CancellationToken cancellationToken = default);

    /// <summary>Blocks or unblocks sign-in.</summary>
    Task SetLockedAsync(AccessScope scope, string userName, bool locked, CancellationToken cancellationToken = default);
}
