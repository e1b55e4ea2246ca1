using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Audit;

/// <summary>The verdict on the audit chain: intact, or the first broken link and what is wrong with it (ADR 20).</summary>
public sealed record AuditVerification(long Events, bool Intact, long? BrokenAtSequence, long? BrokenEventId, string? Problem, string? HeadHash);

/// <summary>Checks the audit trail's hash chain (implemented by the infrastructure, which owns the chain's head).</summary>
public interface IAuditChainVerifier
{
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default);
}

/// <summary>Which events: a site (code), an action prefix ("import", "model.trained"), newest first, a page of <see cref="PageSize"/>.</summary>
public sealed record AuditQuery(string? Site = null, string? Action = null, int Page = 0, int PageSize = 50);

/// <summary>One event as shown: its place in the chain and what happened.</summary>
public sealed record AuditEventView(long Id, long? Sequence, DateTime OccurredUtc, string Actor, string Action, string? EntityType, string? EntityId, string? Site,
    string? Details, string? Hash);

/// <summary>A page of events and how many match.</summary>
public sealed record AuditPage(int Total, int Page, int PageSize, IReadOnlyList<AuditEventView> Events);

/// <summary>
/// The audit trail for people: administrators and principal investigators see every event and may check the chain; site
/// coordinators see the events of their sites; reviewers do not see the trail.
/// </summary>
public sealed class AuditService(IDerbyDbContextFactory dbFactory, IAuditChainVerifier verifier, IClock clock)
{
    /// <summary>
    /// Records an event that is not a change of study data: a sign-in, a failed sign-in, a sign-out, an export. The actor is
    /// the user name (for a failed sign-in, the name that was tried, in the details, with actor "anonymous").
    /// </summary>
    public async Task RecordAsync(string actor, string action, object? details, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        db.AuditEvents.Add(new AuditEvent
        {
            Actor = actor.Length > 256 ? actor[..256] : actor, Action = action, OccurredUtc = clock.UtcNow,
            Details = details is null ? null : System.Text.Json.JsonSerializer.Serialize(details),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Text a caller typed (a user name tried at sign-in), as the trail may keep it: at most <paramref name="maxLength"/>
    /// characters, control and invisible formatting characters and unpaired surrogates replaced by '?', so that a hostile
    /// value neither bloats the chain nor reads differently from what was sent.
    /// </summary>
    public static string Printable(string value, int maxLength = 64)
    {
        ArgumentNullException.ThrowIfNull(value);
        var shown = new System.Text.StringBuilder(Math.Min(value.Length, maxLength) + 3);
        for (var i = 0; i < value.Length && shown.Length < maxLength; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                shown.Append(c).Append(value[++i]);
            }
            else
            {
                shown.Append(char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? '?' : c);
            }
        }

        return value.Length > shown.Length ? shown.Append("...").ToString() : shown.ToString();
    }

    /// <summary>Longest action or site filter accepted.</summary>
    public const int MaxFilterLength = 64;

    /// <summary>Events matching the query that the caller may see, newest first.</summary>
    /// <exception cref="ForbiddenException">A reviewer.</exception>
    /// <exception cref="NotFoundException">No such site, or one the caller may not see.</exception>
    public async Task<AuditPage> ListAsync(AccessScope scope, AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(query);
        var all = scope.CanRunAnalyses;
        if (!all && scope.CoordinatedSiteIds.Count == 0)
        {
            throw new ForbiddenException("The audit trail is for administrators, principal investigators and site coordinators (their sites' events)");
        }

        if (query.Page < 0 || query.PageSize is < 1 or > 500)
        {
            throw new ValidationFailedException([new FieldError("page", "The page is 0 or more and holds 1 to 500 events")]);
        }

        // A very long filter would reach the database as a LIKE pattern SQLite refuses ("pattern too complex": a 500).
        if (query.Action is { Length: > MaxFilterLength } || query.Site is { Length: > MaxFilterLength })
        {
            throw new ValidationFailedException([new FieldError(query.Action is { Length: > MaxFilterLength } ? "action" : "site",
                $"A filter is at most {MaxFilterLength} characters")]);
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Code, cancellationToken);
        IQueryable<AuditEvent> events = db.AuditEvents.AsNoTracking();
        if (!all)
        {
            var mine = scope.CoordinatedSiteIds.ToList();
            events = events.Where(e => e.SiteId != null && mine.Contains(e.SiteId.Value));
        }

        if (!string.IsNullOrWhiteSpace(query.Site))
        {
            var id = sites.FirstOrDefault(s => s.Value == query.Site).Key;
            if (id == 0 || !scope.CanRead(id))
            {
                throw new NotFoundException($"No site with code '{query.Site}'");
            }

            events = events.Where(e => e.SiteId == id);
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            events = events.Where(e => e.Action.StartsWith(action));
        }

        var total = await events.CountAsync(cancellationToken);
        var page = await events.OrderByDescending(e => e.Id).Skip(query.Page * query.PageSize).Take(query.PageSize).ToListAsync(cancellationToken);
        return new AuditPage(total, query.Page, query.PageSize, [.. page.Select(e => new AuditEventView(e.Id, e.Sequence, e.OccurredUtc, e.Actor, e.Action, e.EntityType,
            e.EntityId, e.SiteId is { } s ? sites.GetValueOrDefault(s) : null, e.Details, e.Hash))]);
    }

    /// <summary>Checks the whole chain (administrators and principal investigators: it spans every site).</summary>
    /// <exception cref="ForbiddenException">Anyone else.</exception>
    public async Task<AuditVerification> VerifyAsync(AccessScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.CanRunAnalyses)
        {
            throw new ForbiddenException("Only administrators and principal investigators check the audit chain");
        }

        return await verifier.VerifyAsync(cancellationToken);
    }
}
