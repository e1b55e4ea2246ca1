using System.Security.Cryptography;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Users;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Identity;

/// <summary>
/// Accounts, roles and site bindings, for administrators. Every change is an audit event (never a password: a reset says
/// only that it happened), recorded once the account store has accepted the change.
/// </summary>
internal sealed class UserAdministration(UserManager<DerbyUser> users, IDbContextFactory<DerbyDbContext> dbFactory, IClock clock) : IUserAdministration
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(AccessScope scope, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name })
            .ToListAsync(cancellationToken);
        var sites = await db.SiteAssignments.AsNoTracking().Select(a => new { a.UserId, a.Site!.Code }).ToListAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        return accounts.Select(u => new UserSummary(
            u.Id,
            u.UserName!,
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order().ToList(),
            sites.Where(s => s.UserId == u.Id).Select(s => s.Code).Order().ToList(),
            u.LockoutEnd > now)).ToList();
    }

    public async Task<bool> ExistsAsync(string userName, CancellationToken cancellationToken = default) =>
        await users.FindByNameAsync(userName) is not null;

    /// <summary>Longest user name accepted.</summary>
    public const int MaxUserNameLength = 64;

    public async Task<string> CreateAsync(AccessScope scope, string userName, string role, IReadOnlyList<string> siteCodes,
        CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var errors = new List<FieldError>();
        // Identity checks the characters but not the length (the column's 256 is not enforced by SQLite).
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > MaxUserNameLength)
        {
            errors.Add(new("user", $"User name is required: 1 to {MaxUserNameLength} lower-case letters, digits, '-', '.', '_' or '@'"));
        }

        if (!DerbyRoles.All.Contains(role))
        {
            errors.Add(new("role", $"Unknown role '{role}'; roles are {string.Join(", ", DerbyRoles.All)}"));
        }

        if (role == DerbyRoles.SiteCoordinator && siteCodes.Count == 0)
        {
            errors.Add(new("sites", "A site coordinator needs at least one site"));
        }

        if (role != DerbyRoles.SiteCoordinator && siteCodes.Count > 0)
        {
            errors.Add(new("sites", "Only site coordinators are bound to sites"));
        }

        var siteIds = await ResolveSitesAsync(siteCodes, errors, cancellationToken);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var user = new DerbyUser { UserName = userName, LockoutEnabled = true };
        var password = GeneratePassword();
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
        await ReplaceSitesAsync(user.Id, siteIds, cancellationToken);
        await AuditAsync(scope, "user.created", userName, new { role, sites = siteCodes }, cancellationToken);
        return password;
    }

    public async Task<string> ResetPasswordAsync(AccessScope scope, string userName, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var user = await users.FindByNameAsync(userName) ?? throw new NotFoundException($"No user '{userName}'");
        var password = GeneratePassword();
        Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        await AuditAsync(scope, "user.password-reset", userName, null, cancellationToken);
        return password;
    }

    public async Task SetSitesAsync(AccessScope scope, string userName, IReadOnlyList<string> siteCodes, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var user = await users.FindByNameAsync(userName) ?? throw new NotFoundException($"No user '{userName}'");
        var errors = new List<FieldError>();
        if (!await users.IsInRoleAsync(user, DerbyRoles.SiteCoordinator))
        {
            errors.Add(new("sites", "Only site coordinators are bound to sites"));
        }

        var siteIds = await ResolveSitesAsync(siteCodes, errors, cancellationToken);
        if (siteIds.Count == 0)
        {
            errors.Add(new("sites", "A site coordinator needs at least one site"));
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        string[] before;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            before = await db.SiteAssignments.AsNoTracking().Where(a => a.UserId == user.Id).Select(a => a.Site!.Code).OrderBy(c => c).ToArrayAsync(cancellationToken);
        }

        await ReplaceSitesAsync(user.Id, siteIds, cancellationToken);
        await AuditAsync(scope, "user.sites-changed", userName, new { before, after = siteCodes.Order(StringComparer.Ordinal).ToArray() }, cancellationToken);
    }

    public async Task SetLockedAsync(AccessScope scope, string userName, bool locked, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var user = await users.FindByNameAsync(userName) ?? throw new NotFoundException($"No user '{userName}'");
        if (locked && scope.UserName == userName)
        {
            throw new ValidationFailedException([new("user", "You cannot lock your own account")]);
        }

        Check(await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null));
        // A new security stamp signs the user out everywhere at the next cookie validation.
        Check(await users.UpdateSecurityStampAsync(user));
        await AuditAsync(scope, locked ? "user.locked" : "user.unlocked", userName, null, cancellationToken);
    }

    private async Task AuditAsync(AccessScope scope, string action, string userName, object? details, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredUtc = clock.UtcNow, Actor = scope.UserName, Action = action, EntityType = "User", EntityId = userName.Length > 64 ? userName[..64] : userName,
            Details = details is null ? null : System.Text.Json.JsonSerializer.Serialize(details),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<List<int>> ResolveSitesAsync(IReadOnlyList<string> siteCodes, List<FieldError> errors, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sites = await db.Sites.AsNoTracking().Where(s => siteCodes.Contains(s.Code)).ToListAsync(ct);
        errors.AddRange(siteCodes.Except(sites.Select(s => s.Code)).Select(c => new FieldError("sites", $"Unknown site '{c}'")));
        return sites.Select(s => s.Id).ToList();
    }

    private async Task ReplaceSitesAsync(string userId, List<int> siteIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.SiteAssignments.Where(a => a.UserId == userId).ExecuteDeleteAsync(ct);
        db.SiteAssignments.AddRange(siteIds.Select(id => new SiteAssignment { UserId = userId, SiteId = id }));
        await db.SaveChangesAsync(ct);
    }

    private static void RequireAdmin(AccessScope scope)
    {
        if (!scope.CanManageStudy)
        {
            throw new ForbiddenException("Only admins manage users");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new ValidationFailedException(result.Errors.Select(e => new FieldError("user", e.Description)).ToList());
        }
    }

    /// <summary>20 characters from an alphabet without look-alikes, with each character class the policy asks for.</summary>
    private static string GeneratePassword()
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz";
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string digits = "23456789";
        const string symbols = "-_.!";
        var chars = new char[20];
        string[] classes = [lower, upper, digits, symbols];
        for (var i = 0; i < chars.Length; i++)
        {
            var set = i < classes.Length ? classes[i] : lower + upper + digits;
            chars[i] = set[RandomNumberGenerator.GetInt32(set.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
