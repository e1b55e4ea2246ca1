namespace Derby.Domain;

/// <summary>
/// An append-only record of something that happened, chained by hash: <see cref="Hash"/> covers this event's fields, its
/// <see cref="Sequence"/> and the previous event's hash, so an edited, deleted or reordered row breaks the chain
/// (the database context assigns the three when the event is saved; <c>derby audit verify</c> checks them).
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTime OccurredUtc { get; set; }

    /// <summary>User name, or "system" for the command line and jobs.</summary>
    public required string Actor { get; set; }

    /// <summary>Dotted action name, e.g. "import.succeeded".</summary>
    public required string Action { get; set; }

    public string? EntityType { get; set; }

    public string? EntityId { get; set; }

    public int? SiteId { get; set; }

    /// <summary>Details as JSON (before/after where it applies).</summary>
    public string? Details { get; set; }

    /// <summary>Position in the chain, from 0 without gaps.</summary>
    public long? Sequence { get; set; }

    /// <summary>The previous event's <see cref="Hash"/>; null for the first.</summary>
    public string? PreviousHash { get; set; }

    /// <summary>SHA-256 (hex) of the sequence, the previous hash and every field above.</summary>
    public string? Hash { get; set; }
}
