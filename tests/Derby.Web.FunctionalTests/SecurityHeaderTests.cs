using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Derby.Web.Security;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The Content-Security-Policy and the other security headers (ADR 23) on pages, error pages, the API and DICOMweb.
/// That the viewer, dashboard and learning pages work under the policy is proved by the browser tests, which fail on any
/// violation (DebianChromium).
/// </summary>
[Collection(WebCollection.Name)]
public sealed partial class SecurityHeaderTests(DerbyWebFactory app)
{
    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Contains(' ', StringComparison.Ordinal) ? d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..] : "");

    private static string Csp(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Content-Security-Policy", out var values) ? string.Join(", ", values) : throw new Xunit.Sdk.XunitException("no Content-Security-Policy header");

    [Theory]
    [InlineData("/account/login", "anonymous")]
    [InlineData("/", "admin")]
    [InlineData("/dashboard", "pi")]
    [InlineData("/learning", "pi")]
    [InlineData("/account/password", "reviewer")]
    public async Task Pages_CarryThePagePolicy_AndEveryInlineScriptCarriesItsNonce(string path, string user)
    {
        var client = user == "anonymous" ? app.Anonymous() : await app.SignInAsync(user);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Directives(Csp(response));
        Assert.Equal("'self'", policy["default-src"]);
        var nonce = NonceSource().Match(policy["script-src"]);
        Assert.True(nonce.Success, policy["script-src"]);
        Assert.Equal($"'self' 'wasm-unsafe-eval' 'nonce-{nonce.Groups[1].Value}'", policy["script-src"]);
        Assert.Equal("'self' blob:", policy["worker-src"]);
        Assert.Equal("'self'", policy["connect-src"]);
        Assert.Equal("'self' data: blob:", policy["img-src"]);
        Assert.Equal("'self' 'unsafe-inline'", policy["style-src"]);
        Assert.Equal("'none'", policy["object-src"]);
        Assert.Equal("'self'", policy["base-uri"]);
        Assert.Equal("'self'", policy["form-action"]);
        Assert.Equal("'none'", policy["frame-ancestors"]);
        Assert.DoesNotContain("'unsafe-eval'", Csp(response));
        Assert.DoesNotContain("'unsafe-inline'", policy["script-src"]);

        // Blazor's import map is the one inline script; it (and any other) must carry this response's nonce.
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var inline = document.QuerySelectorAll("script").Where(s => !s.HasAttribute("src")).ToList();
        Assert.Contains(inline, s => s.GetAttribute("type") == "importmap");
        Assert.All(inline, s => Assert.Equal(nonce.Groups[1].Value, s.GetAttribute("nonce")));
        Assert.Empty(document.QuerySelectorAll("[onclick], [onload], [onerror], [onsubmit], [onchange]"));
        AssertCommonHeaders(response);
    }

    [Fact]
    public async Task EveryPageResponse_HasAFreshNonce()
    {
        var client = app.Anonymous();

        var first = NonceSource().Match(Csp(await client.GetAsync("/account/login"))).Groups[1].Value;
        var second = NonceSource().Match(Csp(await client.GetAsync("/account/login"))).Groups[1].Value;

        Assert.NotEqual(first, second);
        Assert.True(Convert.FromBase64String(first).Length >= 16);
    }

    [Theory]
    [InlineData("/api/study")]
    [InlineData("/api/dashboard/")]
    [InlineData("/dicomweb/studies")]
    [InlineData("/api/no-such-endpoint")]
    public async Task ApiAndDicomWeb_CarryTheStrictDataPolicy(string path)
    {
        var client = await app.SignInAsync("admin");

        var response = await client.GetAsync(path);

        Assert.Equal(SecurityHeaders.DataPolicy, Csp(response));
        Assert.Equal("'none'", Directives(Csp(response))["default-src"]);
        AssertCommonHeaders(response);
    }

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/health/live")]
    [InlineData("/jobs/")]
    public async Task ErrorPages_Health_AndTheJobDashboard_CarryTheHeadersToo(string path)
    {
        var client = await app.SignInAsync("admin");

        var response = await client.GetAsync(path);

        Assert.StartsWith("default-src 'self'", Csp(response), StringComparison.Ordinal);
        AssertCommonHeaders(response);
    }

    [Fact]
    public async Task SignedOutApiCall_StillCarriesTheHeaders()
    {
        var response = await app.Anonymous().GetAsync("/api/study");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(SecurityHeaders.DataPolicy, Csp(response));
        AssertCommonHeaders(response);
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("same-origin", string.Join(",", response.Headers.GetValues("Cross-Origin-Opener-Policy")));
        var permissions = string.Join(",", response.Headers.GetValues("Permissions-Policy"));
        Assert.Contains("camera=()", permissions);
        Assert.Contains("microphone=()", permissions);
        Assert.Contains("geolocation=()", permissions);
    }

    [GeneratedRegex("'nonce-([A-Za-z0-9+/=]+)'")]
    private static partial Regex NonceSource();
}
