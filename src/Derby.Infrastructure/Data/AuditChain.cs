using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Application.Audit;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Data;

/// <summary>
/// The head of the audit chain: how many events it holds and the newest one's hash. One row (Id 1), updated in the same
/// save as the events it adds, with <see cref="Events"/> as the concurrency token: two writers that read the same head
/// cannot both append (the second save fails, reloads the head and chains again). It also makes deleting the newest
/// events detectable.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long Events { get; set; }

    public string? LastHash { get; set; }
}

/// <summary>The application's view of the chain check: <see cref="AuditChain.VerifyAsync"/> on a fresh context.</summary>
internal sealed class AuditChainVerifier(IDbContextFactory<DerbyDbContext> dbFactory) : IAuditChainVerifier
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await AuditChain.VerifyAsync(db, cancellationToken);
    }
}

/// <summary>Hashing and verification of the audit chain (see <see cref="AuditEvent"/>).</summary>
public static class AuditChain
{
    /// <summary>
    /// SHA-256 (lower-case hex) of the event's sequence, previous hash, time (ticks, UTC), actor, action, entity, site and
    /// details, written as one JSON array so that no two different events share the hashed text.
    /// </summary>
    public static string HashOf(AuditEvent e, long sequence, string? previousHash)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = JsonSerializer.Serialize(new object?[]
        {
            sequence, previousHash, DateTime.SpecifyKind(e.OccurredUtc, DateTimeKind.Utc).Ticks, e.Actor, e.Action, e.EntityType, e.EntityId, e.SiteId, e.Details,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Chains <paramref name="events"/> (in the order given) after <paramref name="head"/>, moving the head.</summary>
    public static void Append(AuditChainHead head, IEnumerable<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(head);
        foreach (var e in events)
        {
            e.Sequence = head.Events;
            e.PreviousHash = head.LastHash;
            e.Hash = HashOf(e, head.Events, head.LastHash);
            head.Events++;
            head.LastHash = e.Hash;
        }
    }

    /// <summary>
    /// Walks the chain in sequence order and reports the first broken link: a missing sequence number (a deleted row), an
    /// event whose previous hash is not its predecessor's (a reordered or inserted row), an event whose fields no longer
    /// give its hash (an edited row), unsealed events, or a head that does not match the newest event (rows deleted at the
    /// end). Reads the events in pages, so any size of trail is checked in constant memory.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(DerbyDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var head = await db.AuditChainHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        if (head is null)
        {
            return new AuditVerification(0, false, 0, null, "the chain's head row is missing", null);
        }

        var unsealed = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence == null).OrderBy(e => e.Id).Select(e => (long?)e.Id).FirstOrDefaultAsync(cancellationToken);
        if (unsealed is not null)
        {
            return new AuditVerification(head.Events, false, null, unsealed, $"event {unsealed} has no place in the chain (written around the chain, or its sequence was cleared)", head.LastHash);
        }

        const int page = 2000;
        long expected = 0;
        string? previous = null;
        while (true)
        {
            var batch = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= expected).OrderBy(e => e.Sequence).Take(page).ToListAsync(cancellationToken);
            foreach (var e in batch)
            {
                if (e.Sequence != expected)
                {
                    return Broken(head, expected, e.Id, e.Sequence < expected
                        ? $"sequence {e.Sequence} appears twice (event {e.Id} was inserted)"
                        : $"sequence {expected} is missing: the event there was deleted");
                }

                if (e.PreviousHash != previous)
                {
                    return Broken(head, expected, e.Id, $"event {e.Id} does not follow the event before it (previous hash differs): events were removed, inserted or reordered");
                }

                if (e.Hash != HashOf(e, expected, previous))
                {
                    return Broken(head, expected, e.Id, $"event {e.Id} ({e.Action}, {e.OccurredUtc:u}) was altered: its fields no longer give its hash");
                }

                previous = e.Hash;
                expected++;
            }

            if (batch.Count < page)
            {
                break;
            }
        }

        if (head.Events != expected || head.LastHash != previous)
        {
            return Broken(head, expected, null, head.Events > expected
                ? $"the chain ends at sequence {expected - 1} but its head counts {head.Events} events: the newest {head.Events - expected} were deleted"
                : $"the chain's head does not match its newest event (sequence {expected - 1}): the head or the newest event was altered");
        }

        return new AuditVerification(expected, true, null, null, null, head.LastHash);
    }

    private static AuditVerification Broken(AuditChainHead head, long sequence, long? id, string problem) =>
        new(head.Events, false, sequence, id, problem, head.LastHash);
}
