using System.Text.Json;
using Derby.Domain;

namespace Derby.Application.Audit;

/// <summary>The one way the use cases write an audit event of theirs: details as JSON with the web defaults (camelCase), none when null.</summary>
internal static class AuditEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static AuditEvent Create(string actor, DateTime when, string action, string entityType, string entityId, int? siteId, object? details) => new()
    {
        OccurredUtc = when,
        Actor = actor,
        Action = action,
        EntityType = entityType,
        EntityId = entityId,
        SiteId = siteId,
        Details = details is null ? null : JsonSerializer.Serialize(details, Json),
    };
}
