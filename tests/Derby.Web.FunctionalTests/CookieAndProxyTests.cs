using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// Cookie attributes with Derby:Security:HttpsCookies on (production: Secure, HttpOnly, SameSite, Path=/, no Domain,
/// __Host- prefix) and off (the plain-HTTP loopback demo), and forwarded headers believed from configured proxies only
/// (ADR 23). Each case runs a second app over the shared test database with its own settings.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class CookieAndProxyTests(DerbyWebFactory app)
{
    private const string TrustedProxy = "10.20.30.40";

    private WebApplicationFactory<Program> With(params (string Key, string Value)[] settings) => app.WithWebHostBuilder(b =>
    {
        b.UseSetting("Derby:Jobs:InProcessServer", "false");
        foreach (var (key, value) in settings)
        {
            b.UseSetting(key, value);
        }
    });

    private static Dictionary<string, string> Cookies(HttpResponseMessage response) =>
        (response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            .ToDictionary(c => c[..c.IndexOf('=', StringComparison.Ordinal)], c => c, StringComparer.Ordinal);

    private static string[] Attributes(string setCookie) =>
        setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToArray();

    [Fact]
    public async Task OverHttps_AuthAndAntiforgeryCookies_AreHostPrefixed_Secure_HttpOnly_SameSite_PathRoot_WithoutDomain()
    {
        await using var secure = With(("Derby:Security:HttpsCookies", "true"));
        var client = secure.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });

        var page = await client.GetAsync("/account/login");
        var xsrf = Cookies(page)["__Host-derby.xsrf"];
        var token = Html.InputValue(await page.Content.ReadAsStringAsync(), "__RequestVerificationToken");
        var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "reviewer", ["password"] = app.Passwords["reviewer"], ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        var auth = Cookies(signIn)["__Host-derby.auth"];
        Assert.DoesNotContain("derby.auth", Cookies(signIn).Keys.Where(k => !k.StartsWith("__Host-", StringComparison.Ordinal)));
        foreach (var (cookie, sameSite) in new[] { (auth, "samesite=lax"), (xsrf, "samesite=strict") })
        {
            var attributes = Attributes(cookie);
            Assert.Contains("secure", attributes);
            Assert.Contains("httponly", attributes);
            Assert.Contains(sameSite, attributes);
            Assert.Contains("path=/", attributes);
            Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
        }

        // The browser sends the __Host- cookies back over HTTPS: the session works.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task HttpsCookiesOn_ARequestOverPlainHttp_IsRefusedWithTheReason_AndGetsNoCookie()
    {
        await using var secure = With(("Derby:Security:HttpsCookies", "true"));
        var client = secure.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var page = await client.GetAsync("/account/login");
        var health = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("KnownProxies", await page.Content.ReadAsStringAsync());
        Assert.Empty(Cookies(page));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task LoopbackDemo_OverPlainHttp_KeepsUnprefixedCookiesWithoutSecure_AndSignInWorks()
    {
        // The shared test app runs as run.sh's demo does: HttpsCookies off, plain HTTP.
        var client = app.Anonymous();

        var page = await client.GetAsync("/account/login");
        var xsrf = Cookies(page)["derby.xsrf"];
        var token = Html.InputValue(await page.Content.ReadAsStringAsync(), "__RequestVerificationToken");
        var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "reviewer", ["password"] = app.Passwords["reviewer"], ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        var auth = Cookies(signIn)["derby.auth"];

        foreach (var (cookie, sameSite) in new[] { (auth, "samesite=lax"), (xsrf, "samesite=strict") })
        {
            var attributes = Attributes(cookie);
            Assert.DoesNotContain("secure", attributes);
            Assert.Contains("httponly", attributes);
            Assert.Contains(sameSite, attributes);
            Assert.Contains("path=/", attributes);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Theory]
    [InlineData(TrustedProxy, true)]
    [InlineData("10.20.30.41", false)]
    [InlineData("192.168.7.1", false)]
    public async Task ForwardedProto_IsBelievedFromAKnownProxyOnly(string caller, bool believed)
    {
        // HttpsCookies off, so that Secure follows the request's scheme, which only a trusted proxy may change.
        await using var proxied = With(("Derby:Security:HttpsCookies", "false"), ("Derby:Security:KnownProxies:0", TrustedProxy), ("Derby:Security:KnownProxies:1", "172.28.0.0/24"));

        var context = await proxied.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/account/login";
            c.Request.Host = new HostString("derby.example.org");
            c.Connection.RemoteIpAddress = IPAddress.Parse(caller);
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
        });

        var headers = context.Response.Headers;
        var xsrf = headers.SetCookie.Single(c => c!.StartsWith("derby.xsrf=", StringComparison.Ordinal))!;
        Assert.Equal(believed, Attributes(xsrf).Contains("secure"));
        Assert.Equal(believed, headers.StrictTransportSecurity.Count > 0);
        Assert.Equal(believed ? "https" : "http", context.Request.Scheme);
        Assert.Equal(believed ? "203.0.113.9" : caller, context.Connection.RemoteIpAddress?.ToString());
    }

    [Fact]
    public async Task ForwardedProto_FromANetworkOfKnownProxies_IsBelieved()
    {
        await using var proxied = With(("Derby:Security:HttpsCookies", "false"), ("Derby:Security:KnownProxies:0", "172.28.0.0/24"));

        var context = await proxied.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/account/login";
            c.Request.Host = new HostString("derby.example.org");
            c.Connection.RemoteIpAddress = IPAddress.Parse("172.28.0.1");
            c.Request.Headers["X-Forwarded-Proto"] = "https";
        });

        Assert.Equal("https", context.Request.Scheme);
        Assert.True(context.Response.Headers.StrictTransportSecurity.Count > 0);
    }

    [Fact]
    public async Task WithoutKnownProxies_ForwardedHeadersOfEveryCaller_AreIgnored()
    {
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/account/login";
            c.Request.Host = new HostString("derby.example.org");
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
        });

        Assert.Equal("http", context.Request.Scheme);
        Assert.Equal(IPAddress.Loopback, context.Connection.RemoteIpAddress);
        Assert.Equal(0, context.Response.Headers.StrictTransportSecurity.Count);
    }

    [Fact]
    public void AKnownProxyThatIsNoAddress_StopsTheAppAtStart()
    {
        var broken = With(("Derby:Security:KnownProxies:0", "proxy.example.org"));

        var error = Assert.ThrowsAny<Exception>(() => broken.Server);

        Assert.Contains("KnownProxies", error.ToString());
        try
        {
            broken.Dispose();
        }
        catch (Exception)
        {
            // The host never started: nothing of it to dispose.
        }
    }
}
