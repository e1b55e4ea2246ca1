namespace Derby.Domain;

/// <summary>An append-only record of something that happened. The audit issue chains these by hash.</summary>
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
}
