namespace Derby.Domain;

/// <summary>Binds a site coordinator's account to a site whose patients they may see and edit.</summary>
public sealed class SiteAssignment
{
    public required string UserId { get; set; }

    public int SiteId { get; set; }

    public Site? Site { get; set; }
}
