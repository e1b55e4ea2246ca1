using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// Every state-changing endpoint the app maps (POST, PUT, PATCH, DELETE, enumerated from its endpoint data source, so a
/// new endpoint without the check fails here) refuses a cookie-signed-in caller who does not send the anti-forgery token;
/// site-token DICOMweb callers carry no cookie and are exempt (DicomWebTests).
/// </summary>
[Collection(WebCollection.Name)]
public sealed partial class AntiforgeryTests(DerbyWebFactory app)
{
    private static readonly string[] StateChanging = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Every state-changing route as (method, pattern, whether it is a Razor page that posts back to itself).</summary>
    private IReadOnlyList<(string Method, string Pattern, bool Page)> Routes()
    {
        var routes = new SortedSet<(string, string, bool)>();
        foreach (var e in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = e.RoutePattern.RawText ?? "";
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            if (!pattern.StartsWith('/') || pattern.StartsWith("/_", StringComparison.Ordinal))
            {
                // Static files, and Blazor's own SignalR endpoints (/_blazor: the circuit, not a form or an API).
                continue;
            }

            foreach (var method in methods.Intersect(StateChanging))
            {
                routes.Add((method, pattern, methods.Contains("GET")));
            }
        }

        return [.. routes];
    }

    private string Address(string pattern) => Placeholder().Replace(pattern, m => m.Value switch
    {
        var v when v.Contains(":guid", StringComparison.Ordinal) || v == "{Id}" => app.ZshPatientId.ToString(),
        var v when v.Contains(":long", StringComparison.Ordinal) => "1",
        "{code}" or "{Code}" => "ZSH",
        "{kind}" => "patients",
        _ => "x",
    });

    private static HttpContent Body(string pattern, bool page)
    {
        if (page || pattern.StartsWith("/account/", StringComparison.Ordinal))
        {
            return new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "probe", ["userName"] = "nobody", ["password"] = "wrong-password" });
        }

        if (pattern.EndsWith("/imports/{kind}", StringComparison.Ordinal) || pattern.EndsWith("/images", StringComparison.Ordinal))
        {
            var file = new ByteArrayContent("pseudonym\n"u8.ToArray());
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            return new MultipartFormDataContent { { file, pattern.EndsWith("/images", StringComparison.Ordinal) ? "files" : "file", "probe.csv" } };
        }

        if (pattern.StartsWith("/dicomweb/", StringComparison.Ordinal))
        {
            var content = new MultipartContent("related");
            content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
            content.Add(new ByteArrayContent("not DICOM"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/dicom") } });
            return content;
        }

        return new StringContent("{}", Encoding.UTF8, "application/json");
    }

    [Fact]
    public void TheAppHasStateChangingEndpoints_OfEveryKind()
    {
        var routes = Routes();

        Assert.Contains(routes, r => r.Pattern.StartsWith("/api/", StringComparison.Ordinal) && r.Method == "PUT");
        Assert.Contains(routes, r => r.Pattern == "/dicomweb/studies");
        Assert.Contains(routes, r => r.Pattern == "/account/login");
        Assert.Contains(routes, r => r.Page && r.Pattern == "/account/password");
    }

    [Fact]
    public async Task EveryStateChangingEndpoint_RefusesACookieCallerWithoutTheAntiforgeryToken()
    {
        // An administrator passes every route's role check (site data is checked later, inside the handlers), so each
        // call reaches the anti-forgery check; the answer must name it.
        var failures = new List<string>();
        var count = 0;
        foreach (var user in new[] { "admin" })
        {
            var client = await app.SignInAsync(user);
            foreach (var (method, pattern, page) in Routes())
            {
                if (pattern == "/account/logout")
                {
                    continue; // checked below with a session of its own
                }

                using var request = new HttpRequestMessage(new HttpMethod(method), Address(pattern)) { Content = Body(pattern, page) };
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                count++;
                if (response.StatusCode != HttpStatusCode.BadRequest || !AntiforgeryWord().IsMatch(body))
                {
                    failures.Add($"{method} {pattern} as {user}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {count} calls without the anti-forgery token were not refused for it:\n" + string.Join('\n', failures));
    }

    [Fact]
    public async Task SignOut_WithoutTheToken_IsRefused_AndTheSessionLives()
    {
        var client = await app.SignInAsync("reviewer");

        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task JobDashboardActions_WithoutTheToken_AreRefused()
    {
        var client = await app.SignInAsync("admin");

        var response = await client.PostAsync("/jobs/recurring/trigger", new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "no-such-job" }));

        Assert.False(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("anti-?forgery", RegexOptions.IgnoreCase)]
    private static partial Regex AntiforgeryWord();
}
