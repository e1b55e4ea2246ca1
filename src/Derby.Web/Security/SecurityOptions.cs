using System.Net;

namespace Derby.Web.Security;

/// <summary>
/// The web app's security settings, section <c>Derby:Security</c> (ADR 23). Read once at start; a bad value stops the
/// app with the reason.
/// </summary>
public sealed class SecurityOptions
{
    public const string Section = "Derby:Security";

    /// <summary>The plain auth cookie's name; <c>__Host-derby.auth</c> when <see cref="HttpsCookies"/> is on.</summary>
    public const string AuthCookie = "derby.auth";

    /// <summary>The plain anti-forgery cookie's name; <c>__Host-derby.xsrf</c> when <see cref="HttpsCookies"/> is on.</summary>
    public const string AntiforgeryCookie = "derby.xsrf";

    private const long MiB = 1024 * 1024;

    /// <summary>
    /// The app is reached over HTTPS (directly or through a trusted proxy): the sign-in and anti-forgery cookies are always
    /// Secure and carry the <c>__Host-</c> prefix. Default <c>true</c>; only a plain-HTTP loopback demo (run.sh) turns it
    /// off, since browsers drop Secure and <c>__Host-</c> cookies set over plain HTTP.
    /// </summary>
    public bool HttpsCookies { get; set; } = true;

    /// <summary>
    /// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: IP addresses or CIDR networks
    /// (<c>10.0.0.5</c>, <c>172.28.0.0/24</c>). Default: none, and the headers of every caller are ignored.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>
    /// Largest request body of an ordinary request (forms, JSON API). Upload endpoints declare their own, larger limit.
    /// Default 1 MiB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 1 * MiB;

    /// <summary>Cookie name for this configuration: the <c>__Host-</c> prefix over HTTPS.</summary>
    public string CookieName(string name) => HttpsCookies ? "__Host-" + name : name;

    /// <summary>The known proxies parsed: single addresses and networks. Throws with the bad entry's text.</summary>
    public (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks) ParseKnownProxies()
    {
        var proxies = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var raw in KnownProxies.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (raw.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(raw, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(raw, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"{Section}:KnownProxies: '{raw}' is neither an IP address nor a CIDR network (10.0.0.5, 172.28.0.0/24).");
            }
        }

        return (proxies, networks);
    }

    /// <summary>Checks every value; throws with the setting's name and the reason.</summary>
    public void Validate()
    {
        if (MaxRequestBodyBytes <= 0)
        {
            throw new InvalidOperationException($"{Section}:MaxRequestBodyBytes must be positive (got {MaxRequestBodyBytes}).");
        }

        _ = ParseKnownProxies();
    }
}
