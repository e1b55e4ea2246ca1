namespace Derby.Domain;

/// <summary>
/// A site's API token for DICOMweb (STOW-RS from a PACS or tool). Only the SHA-256 of the secret is kept; the secret
/// itself is shown once, when the token is issued. A revoked token is kept, for the record, and no longer accepted.
/// </summary>
public sealed class SiteApiToken
{
    public Guid Id { get; set; }

    public int SiteId { get; set; }

    public Site? Site { get; set; }

    public required string Name { get; set; }

    /// <summary>SHA-256 of the whole secret, lower-case hex.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The first 8 characters of the secret, to tell tokens apart in lists.</summary>
    public required string Prefix { get; set; }

    public DateTime CreatedUtc { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime? RevokedUtc { get; set; }
}
