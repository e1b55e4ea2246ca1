using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The access matrix: every route the app maps (enumerated from its own endpoint data source, so a new endpoint without a
/// rule here fails the test) against every kind of caller: anonymous, administrator, principal investigator, reviewer,
/// the coordinator of the data's site and the coordinator of another site. Each cell is checked over HTTP: allowed
/// (anything but 401/403 and the sign-in or access-denied redirect), denied (403, the access-denied page, or 404 where the
/// data's existence is hidden), or sign-in required (401 for the API, the sign-in redirect for pages). State-changing
/// calls carry bodies that bind but cannot change anything (unknown ids, invalid values), so allowed callers are refused
/// by validation and the study is left as it was.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class AccessMatrixTests(DerbyWebFactory app)
{
    /// <summary>Who may call: the rule of an endpoint.</summary>
    private enum Rule
    {
        /// <summary>Anyone, signed in or not.</summary>
        Public,

        /// <summary>Any signed-in staff member.</summary>
        Staff,

        /// <summary>Administrators and principal investigators.</summary>
        Analysts,

        /// <summary>Administrators only.</summary>
        Admin,

        /// <summary>Whoever reads the data's site: administrators, principal investigators, reviewers and that site's coordinator.</summary>
        ReadSite,

        /// <summary>Whoever enters the data's site's data: that site's coordinator only (administrators manage the study, not its data).</summary>
        EditSite,

        /// <summary>Site coordinators (STOW-RS: each instance is stored only for a patient of the caller's sites).</summary>
        Uploaders,

        /// <summary>Administrators, principal investigators and site coordinators (their own sites' part).</summary>
        AuditReaders,

        /// <summary>The review workspace's readers: administrators, principal investigators and reviewers.</summary>
        ReviewReaders,

        /// <summary>Reviewers only (verdicts).</summary>
        Reviewer,
    }

    private enum Cell
    {
        Allowed,
        Denied,
        SignIn,
    }

    private static readonly string[] Callers = ["anonymous", "admin", "pi", "reviewer", "owner", "other-site"];

    private const string NoSuchId = "00000000-0000-0000-0000-0000000000aa";

    /// <summary>Calls whose body (not address) names something unknown: a model version, a PET series.</summary>
    private static readonly HashSet<string> UnknownInBody = ["POST /api/patients/{id:guid}/predictions/", "POST /api/patients/{id:guid}/lesions"];

    /// <summary>
    /// Every route and method, its rule, the site its data belongs to (ZSH unless said), the address to call (placeholders
    /// filled) and the body of state-changing calls.
    /// </summary>
    private IReadOnlyDictionary<string, (Rule Rule, string Site, string Path, Func<HttpContent>? Body)> Rules()
    {
        var zsh = app.ZshPatientId;
        var model = """{"kind":"derby","networkVersion":"no-such-network","cohort":"training"}""";
        var invalidClinical = """{"suvMax":-1,"clinicalRiskScore":9,"ceaNgPerMl":-5,"ca199UPerMl":-5,"primarySite":"Left","liverMetastasisCount":-1,"largestDiameterCm":-1,"distribution":"Bilobar","ageYears":-3,"sex":"Male"}""";
        return new Dictionary<string, (Rule, string, string, Func<HttpContent>?)>
        {
            // Pages
            ["GET /"] = (Rule.Staff, "ZSH", "/", null),
            ["GET /account/access-denied"] = (Rule.Public, "ZSH", "/account/access-denied", null),
            ["GET /account/login"] = (Rule.Public, "ZSH", "/account/login", null),
            ["GET /account/password"] = (Rule.Staff, "ZSH", "/account/password", null),
            ["GET /error"] = (Rule.Public, "ZSH", "/error", null),
            ["GET /not-found"] = (Rule.Public, "ZSH", "/not-found", null),
            ["* /health/live"] = (Rule.Public, "ZSH", "/health/live", null),
            ["* /health/ready"] = (Rule.Public, "ZSH", "/health/ready", null),
            ["GET /admin/cohorts"] = (Rule.Admin, "ZSH", "/admin/cohorts", null),
            ["GET /admin/sites"] = (Rule.Admin, "ZSH", "/admin/sites", null),
            ["GET /admin/users"] = (Rule.Admin, "ZSH", "/admin/users", null),
            ["GET /audit"] = (Rule.AuditReaders, "ZSH", "/audit", null),
            ["GET /dashboard"] = (Rule.Analysts, "ZSH", "/dashboard", null),
            ["GET /learning"] = (Rule.Analysts, "ZSH", "/learning", null),
            ["GET /models"] = (Rule.Analysts, "ZSH", "/models", null),
            ["GET /patients/{Id:guid}"] = (Rule.ReadSite, "ZSH", $"/patients/{zsh}", null),
            ["GET /patients/{Id:guid}/viewer"] = (Rule.ReadSite, "ZSH", $"/patients/{zsh}/viewer", null),
            ["GET /sites/{Code}"] = (Rule.ReadSite, "ZSH", "/sites/ZSH", null),
            // Readers of a site see its import history there; only editors get the form (and the API refuses the others).
            ["GET /sites/{Code}/import"] = (Rule.ReadSite, "ZSH", "/sites/ZSH/import", null),
            ["* /jobs/{**path}"] = (Rule.Admin, "ZSH", "/jobs/", null),
            ["GET /dashboard/report"] = (Rule.Analysts, "ZSH", "/dashboard/report", null),
            ["GET {**path:file}"] = (Rule.Staff, "ZSH", "/no-such-file.txt", null),
            ["GET /_framework/opaque-redirect"] = (Rule.Staff, "ZSH", "/_framework/opaque-redirect", null),
            ["* /_blazor"] = (Rule.Staff, "ZSH", "/_blazor", null),
            ["* /_blazor/disconnect/"] = (Rule.Staff, "ZSH", "/_blazor/disconnect/", null),
            ["* /_blazor/initializers/"] = (Rule.Staff, "ZSH", "/_blazor/initializers/", null),
            ["* /_blazor/negotiate"] = (Rule.Staff, "ZSH", "/_blazor/negotiate", null),

            // Sign-in
            ["POST /account/login"] = (Rule.Public, "ZSH", "/account/login", () => Form(("userName", "nobody"), ("password", "wrong"))),
            // Signing out is harmless to anyone: it answers with the sign-in page.
            ["POST /account/logout"] = (Rule.Public, "ZSH", "/account/logout", () => Form()),

            // Study, patients, imports
            ["GET /api/antiforgery"] = (Rule.Staff, "ZSH", "/api/antiforgery", null),
            ["GET /api/study"] = (Rule.Staff, "ZSH", "/api/study", null),
            ["GET /api/imports/templates/{kind}"] = (Rule.Staff, "ZSH", "/api/imports/templates/patients", null),
            ["GET /api/imports/{id:guid}"] = (Rule.ReadSite, "HWMU", $"/api/imports/{app.HwmuImportId}", null),
            ["GET /api/sites/{code}/patients"] = (Rule.ReadSite, "ZSH", "/api/sites/ZSH/patients", null),
            ["POST /api/sites/{code}/patients"] = (Rule.EditSite, "ZSH", "/api/sites/ZSH/patients", () => Json("""{"pseudonym":"","treatmentArm":"FolfoxAlone","cohortCodes":[]}""")),
            ["POST /api/sites/{code}/imports/{kind}"] = (Rule.EditSite, "ZSH", "/api/sites/ZSH/imports/patients", () => CsvForm("not,a,patients,table\n1,2,3,4\n")),
            ["GET /api/patients/{id:guid}"] = (Rule.ReadSite, "ZSH", $"/api/patients/{zsh}", null),
            ["PUT /api/patients/{id:guid}/clinical"] = (Rule.EditSite, "ZSH", $"/api/patients/{zsh}/clinical", () => Json(invalidClinical)),
            ["PUT /api/patients/{id:guid}/ihc"] = (Rule.EditSite, "ZSH", $"/api/patients/{zsh}/ihc", () => Json("""{"glut1Score":-1,"pkmScore":-1}""")),
            ["PUT /api/patients/{id:guid}/outcome"] = (Rule.EditSite, "ZSH", $"/api/patients/{zsh}/outcome",
                () => Json("""{"bestResponse":"PartialResponse","pfsMonths":-1,"pfsEvent":true,"osMonths":-1,"osEvent":false,"liverResection":true}""")),
            ["GET /api/patients/{id:guid}/images"] = (Rule.ReadSite, "ZSH", $"/api/patients/{zsh}/images", null),
            ["POST /api/patients/{id:guid}/images"] = (Rule.EditSite, "ZSH", $"/api/patients/{zsh}/images", () => CsvForm("not DICOM", "slice.dcm", "files")),

            // Lesions, pairs, Grad-CAM (no lesion of the study exists: the unknown lesion is 404 for everyone who passes the role check)
            ["GET /api/patients/{id:guid}/lesions"] = (Rule.ReadSite, "ZSH", $"/api/patients/{zsh}/lesions", null),
            ["POST /api/patients/{id:guid}/lesions"] = (Rule.EditSite, "ZSH", $"/api/patients/{zsh}/lesions", () => Json("{\"petSeriesId\":\"" + NoSuchId + "\",\"box\":{\"x0\":0,\"y0\":0,\"z0\":0,\"x1\":1,\"y1\":1,\"z1\":1}}")),
            ["GET /api/lesions/{id:guid}"] = (Rule.ReadSite, "ZSH", $"/api/lesions/{NoSuchId}", null),
            ["GET /api/lesions/{id:guid}/mask"] = (Rule.ReadSite, "ZSH", $"/api/lesions/{NoSuchId}/mask", null),
            ["GET /api/lesions/{id:guid}/pairs"] = (Rule.ReadSite, "ZSH", $"/api/lesions/{NoSuchId}/pairs", null),
            ["GET /api/lesions/{id:guid}/seg"] = (Rule.ReadSite, "ZSH", $"/api/lesions/{NoSuchId}/seg", null),
            ["POST /api/lesions/{id:guid}/accept"] = (Rule.EditSite, "ZSH", $"/api/lesions/{NoSuchId}/accept", () => Json("{}")),
            ["POST /api/lesions/{id:guid}/discard"] = (Rule.EditSite, "ZSH", $"/api/lesions/{NoSuchId}/discard", () => Json("{}")),
            ["GET /api/lesions/{lesionId:guid}/gradcam/"] = (Rule.ReadSite, "ZSH", $"/api/lesions/{NoSuchId}/gradcam/", null),
            ["GET /api/lesions/{lesionId:guid}/gradcam/{version}"] = (Rule.ReadSite, "ZSH", $"/api/lesions/{NoSuchId}/gradcam/no-such-network", null),
            ["GET /api/networks/"] = (Rule.Analysts, "ZSH", "/api/networks/", null),
            ["GET /api/networks/{version}/pairs/{pairId:long}/gradcam"] = (Rule.ReadSite, "ZSH", "/api/networks/no-such-network/pairs/987654321/gradcam", null),

            // Models, predictions, dashboards, audit
            ["GET /api/models/"] = (Rule.Analysts, "ZSH", "/api/models/", null),
            ["POST /api/models/"] = (Rule.Analysts, "ZSH", "/api/models/", () => Json(model)),
            ["GET /api/models/{version}"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version", null),
            ["POST /api/models/{version}/activate"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version/activate", () => Json("{}")),
            ["POST /api/models/{version}/score"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version/score", () => Json("""{"cohort":"training"}""")),
            ["GET /api/models/{version}/evaluation"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version/evaluation", null),
            ["GET /api/models/{version}/heatmap"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version/heatmap", null),
            ["GET /api/models/{version}/lasso"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version/lasso", null),
            ["GET /api/models/{version}/partial-dependence"] = (Rule.Analysts, "ZSH", "/api/models/no-such-version/partial-dependence", null),
            ["GET /api/patients/{id:guid}/predictions/"] = (Rule.ReadSite, "ZSH", $"/api/patients/{zsh}/predictions/", null),
            ["POST /api/patients/{id:guid}/predictions/"] = (Rule.Analysts, "ZSH", $"/api/patients/{zsh}/predictions/", () => Json("""{"version":"no-such-version"}""")),
            ["GET /api/dashboard/"] = (Rule.Analysts, "ZSH", "/api/dashboard/", null),
            ["GET /api/dashboard/{table}.csv"] = (Rule.Analysts, "ZSH", "/api/dashboard/performance.csv", null),
            ["GET /api/audit/"] = (Rule.AuditReaders, "ZSH", "/api/audit/", null),
            ["GET /api/audit/verify"] = (Rule.Analysts, "ZSH", "/api/audit/verify", null),

            // Review workspace and site tasks (the unknown prediction or query is 404 for everyone who passes the role check)
            ["GET /reviews"] = (Rule.ReviewReaders, "ZSH", "/reviews", null),
            ["GET /reviews/{Id:guid}"] = (Rule.ReviewReaders, "ZSH", $"/reviews/{NoSuchId}", null),
            ["GET /tasks"] = (Rule.Staff, "ZSH", "/tasks", null),
            ["GET /api/reviews/"] = (Rule.ReviewReaders, "ZSH", "/api/reviews/", null),
            ["GET /api/reviews/{id:guid}"] = (Rule.ReviewReaders, "ZSH", $"/api/reviews/{NoSuchId}", null),
            ["GET /api/reviews/{id:guid}/verification"] = (Rule.ReviewReaders, "ZSH", $"/api/reviews/{NoSuchId}/verification", null),
            ["POST /api/reviews/{id:guid}/verdicts"] = (Rule.Reviewer, "ZSH", $"/api/reviews/{NoSuchId}/verdicts", () => Json("""{"status":"Agreed"}""")),
            ["GET /api/tasks/"] = (Rule.Staff, "ZSH", "/api/tasks/", null),
            ["POST /api/tasks/{id:guid}/answer"] = (Rule.EditSite, "ZSH", $"/api/tasks/{NoSuchId}/answer", () => Json("""{"answer":"checked"}""")),

            // DICOMweb (staff cookie here; site tokens are covered by SiteTokenTests): queries answer what the caller may read,
            // unknown studies are 404; STOW stores for the sites the caller edits.
            ["GET /dicomweb/studies"] = (Rule.Staff, "ZSH", "/dicomweb/studies", null),
            ["GET /dicomweb/studies/{study}/series"] = (Rule.Staff, "ZSH", "/dicomweb/studies/1.2.3/series", null),
            ["GET /dicomweb/studies/{study}/series/{series}/metadata"] = (Rule.Staff, "ZSH", "/dicomweb/studies/1.2.3/series/1.2.4/metadata", null),
            ["GET /dicomweb/studies/{study}/series/{series}/instances/{instance}"] = (Rule.Staff, "ZSH", "/dicomweb/studies/1.2.3/series/1.2.4/instances/1.2.5", null),
            ["GET /dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata"] = (Rule.Staff, "ZSH", "/dicomweb/studies/1.2.3/series/1.2.4/instances/1.2.5/metadata", null),
            ["GET /dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}"] = (Rule.Staff, "ZSH", "/dicomweb/studies/1.2.3/series/1.2.4/instances/1.2.5/frames/1", null),
            ["POST /dicomweb/studies"] = (Rule.Uploaders, "ZSH", "/dicomweb/studies", () => Multipart("not DICOM")),
        };
    }

    /// <summary>The app's routes as "METHOD pattern" ("*" when the endpoint takes any method; GET for pages).</summary>
    private IReadOnlyList<string> Routes()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in endpoints)
        {
            var pattern = e.RoutePattern.RawText ?? "";
            if (!pattern.StartsWith('/') && pattern != "{**path:file}")
            {
                continue; // static web assets (_content/..., _framework/..., css/...): public files, mapped with AllowAnonymous
            }

            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            // Razor component pages accept GET and POST (forms post back to the page): the page is one route, called with GET.
            var method = methods.Count == 0 ? "*" : methods.Contains("GET") ? "GET" : methods[0];
            routes.Add($"{method} {pattern}");
        }

        return [.. routes];
    }

    private static Cell Expected(Rule rule, string caller) => (rule, caller) switch
    {
        (Rule.Public, _) => Cell.Allowed,
        (_, "anonymous") => Cell.SignIn,
        (Rule.Staff, _) => Cell.Allowed,
        (Rule.Analysts, "admin" or "pi") => Cell.Allowed,
        (Rule.Admin, "admin") => Cell.Allowed,
        (Rule.ReadSite, "admin" or "pi" or "reviewer" or "owner") => Cell.Allowed,
        (Rule.EditSite, "owner") => Cell.Allowed,
        (Rule.Uploaders, "owner" or "other-site") => Cell.Allowed,
        (Rule.AuditReaders, "admin" or "pi" or "owner" or "other-site") => Cell.Allowed,
        (Rule.ReviewReaders, "admin" or "pi" or "reviewer") => Cell.Allowed,
        (Rule.Reviewer, "reviewer") => Cell.Allowed,
        _ => Cell.Denied,
    };

    [Fact]
    public void EveryRouteTheAppMaps_HasARule_AndEveryRuleARoute()
    {
        var routes = Routes();
        var rules = Rules();
        var missing = routes.Where(r => !rules.ContainsKey(r)).ToList();
        var stale = rules.Keys.Where(k => !routes.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "routes without an access rule (add them to AccessMatrixTests.Rules): " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "rules for routes the app no longer maps: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task EveryRoute_AgainstEveryCaller_IsAllowedOrDeniedAsItsRuleSays()
    {
        var clients = new Dictionary<string, HttpClient>();
        var failures = new List<string>();
        var cells = 0;
        foreach (var (route, (rule, site, path, body)) in Rules())
        {
            var method = route.StartsWith("* ", StringComparison.Ordinal) ? "GET" : route[..route.IndexOf(' ', StringComparison.Ordinal)];
            foreach (var caller in Callers)
            {
                var user = caller switch
                {
                    "owner" => site == "ZSH" ? "zsh-coordinator" : "hwmu-coordinator",
                    "other-site" => site == "ZSH" ? "hwmu-coordinator" : "zsh-coordinator",
                    _ => caller,
                };
                // Signing out ends the shared session: that call gets a session of its own.
                var own = route == "POST /account/logout";
                if (own || !clients.TryGetValue(user, out var client))
                {
                    client = user == "anonymous" ? app.Anonymous() : await app.SignInAsync(user);
                    if (user != "anonymous")
                    {
                        await DerbyWebFactory.UseAntiforgeryAsync(client);
                    }

                    if (!own)
                    {
                        clients[user] = client;
                    }
                }

                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body?.Invoke() };
                using var response = await client.SendAsync(request);
                var actual = Classify(response, path);
                var expected = Expected(rule, caller);
                cells++;
                // 404 is how a resource is hidden from whoever may not see it; for an allowed caller it is only right when
                // the address names something that does not exist (the unknown ids and versions above).
                // The framework's own endpoints (/_blazor/..., /_framework/...) answer 404 to a bare GET without their parameters.
                var unknownTarget = path.Contains(NoSuchId, StringComparison.Ordinal) || path.Contains("no-such", StringComparison.Ordinal) || UnknownInBody.Contains(route)
                    || path.StartsWith("/dicomweb/studies/", StringComparison.Ordinal) || path.StartsWith("/_", StringComparison.Ordinal);
                if (response.StatusCode == HttpStatusCode.NotFound && expected == Cell.Allowed && unknownTarget)
                {
                    actual = Cell.Allowed;
                }

                if (actual != expected)
                {
                    failures.Add($"{route} as {caller} ({user}): expected {expected}, got {actual} ({(int)response.StatusCode} {response.Headers.Location})");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cells} cells differ:\n" + string.Join('\n', failures));
        Assert.True(cells >= Rules().Count * Callers.Length);
    }

    /// <summary>What the response says about access (not about whether the call succeeded).</summary>
    private static Cell Classify(HttpResponseMessage response, string path)
    {
        var location = response.Headers.Location?.OriginalString ?? "";
        return (int)response.StatusCode switch
        {
            // The access-denied page itself answers 403 with its explanation: it is shown to everyone; signing out ends on the sign-in page.
            403 when path == "/account/access-denied" => Cell.Allowed,
            302 when path == "/account/logout" => Cell.Allowed,
            401 => Cell.SignIn,
            403 => Cell.Denied,
            302 or 301 or 303 when location.Contains("/account/login", StringComparison.OrdinalIgnoreCase) && !path.StartsWith("/account/login", StringComparison.Ordinal) => Cell.SignIn,
            302 or 301 or 303 when location.Contains("/account/access-denied", StringComparison.OrdinalIgnoreCase) => Cell.Denied,
            // A resource whose existence is hidden from a caller who may not see it.
            404 => Cell.Denied,
            _ => Cell.Allowed,
        };
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) => new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static MultipartFormDataContent CsvForm(string text, string fileName = "table.csv", string field = "file")
    {
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, field, fileName);
        return content;
    }

    private static MultipartContent Multipart(string text)
    {
        var content = new MultipartContent("related");
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        var part = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        content.Add(part);
        return content;
    }
}
