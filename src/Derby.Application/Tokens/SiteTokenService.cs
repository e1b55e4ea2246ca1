using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Tokens;

/// <summary>A token as issued: the secret is in here and nowhere else, shown once.</summary>
public sealed record IssuedSiteToken(Guid Id, string SiteCode, string Name, string Prefix, string Secret);

/// <summary>A token that was presented and is valid: which site it speaks for.</summary>
public sealed record SiteTokenIdentity(Guid Id, int SiteId, string SiteCode, string Name);

/// <summary>
/// Site API tokens for DICOMweb: issued and revoked by admins, kept as the SHA-256 of the secret only.
/// A secret is "derby_" followed by 32 random bytes in base64url; its 256 bits make a plain (unsalted) hash enough.
/// </summary>
public sealed class SiteTokenService(IDerbyDbContextFactory dbFactory, IClock clock)
{
    public const string SecretPrefix = "derby_";

    public async Task<IssuedSiteToken> IssueAsync(AccessScope scope, string siteCode, string name, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            errors.Add(new FieldError("name", "Give the token a name of 1 to 100 characters"));
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Code == siteCode, cancellationToken);
        if (site is null)
        {
            errors.Add(new FieldError("site", $"No site with code '{siteCode}'"));
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new SiteApiToken
        {
            Id = Guid.NewGuid(),
            SiteId = site!.Id,
            Name = name.Trim(),
            TokenHash = Hash(secret),
            Prefix = secret[..8],
            CreatedUtc = clock.UtcNow,
            CreatedBy = scope.UserName,
        };
        db.SiteApiTokens.Add(token);
        db.AuditEvents.Add(Audit(scope, "token.issued", token, new { token.Name, token.Prefix }));
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedSiteToken(token.Id, site.Code, token.Name, token.Prefix, secret);
    }

    public async Task RevokeAsync(AccessScope scope, Guid id, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var token = await db.SiteApiTokens.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw new NotFoundException("No such token");
        if (token.RevokedUtc is not null)
        {
            return;
        }

        token.RevokedUtc = clock.UtcNow;
        db.AuditEvents.Add(Audit(scope, "token.revoked", token, new { token.Name, token.Prefix }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The site a presented secret speaks for; null when it is unknown or revoked. Looked up on every request.</summary>
    public async Task<SiteTokenIdentity?> ValidateAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }

        var hash = Hash(secret);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        return await db.SiteApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedUtc == null)
            .Select(t => new SiteTokenIdentity(t.Id, t.SiteId, t.Site!.Code, t.Name))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void RequireAdmin(AccessScope scope)
    {
        if (!scope.CanManageStudy)
        {
            throw new ForbiddenException("Only admins issue and revoke site API tokens");
        }
    }

    private AuditEvent Audit(AccessScope scope, string action, SiteApiToken token, object details) => new()
    {
        OccurredUtc = clock.UtcNow,
        Actor = scope.UserName,
        Action = action,
        EntityType = nameof(SiteApiToken),
        EntityId = token.Id.ToString(),
        SiteId = token.SiteId,
        Details = JsonSerializer.Serialize(details),
    };
}
