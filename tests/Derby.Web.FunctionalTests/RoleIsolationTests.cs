using System.Net.Http.Headers;
using System.Text;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// A coordinator of site ZSH, over HTTP, against every page and API of a patient of site HWMU: each answers 404
/// (the patient does not exist for them), nothing of the patient shows, and nothing is changed.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RoleIsolationTests(DerbyWebFactory app)
{
    private static readonly string ValidClinical = """
        {"suvMax":12.4,"clinicalRiskScore":3,"ceaNgPerMl":563,"ca199UPerMl":85,"primarySite":"Left","liverMetastasisCount":4,
         "largestDiameterCm":8.4,"distribution":"Bilobar","ageYears":48,"sex":"Male"}
        """;

    private static readonly string ValidIhc = """{"glut1Score":11.2,"pkmScore":12.9}""";

    private static readonly string ValidOutcome = """
        {"bestResponse":"PartialResponse","pfsMonths":9.6,"pfsEvent":true,"osMonths":27.6,"osEvent":false,"liverResection":true}
        """;

    public static TheoryData<string> OtherSitePages => new("/sites/HWMU", "/sites/HWMU/import", "/patients/{hwmu}");

    [Theory]
    [MemberData(nameof(OtherSitePages))]
    public async Task CoordinatorOfAnotherSite_GetsNotFound_ForEveryPage(string path)
    {
        var client = await app.SignInAsync("zsh-coordinator");

        var response = await client.GetAsync(path.Replace("{hwmu}", app.HwmuPatientId.ToString()));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("HWMU-B0001", body);
    }

    [Fact]
    public async Task CoordinatorOfAnotherSite_GetsNotFound_ForEveryApi_AndChangesNothing()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var id = app.HwmuPatientId;

        var requests = new List<HttpRequestMessage>
        {
            new(HttpMethod.Get, "/api/sites/HWMU/patients"),
            new(HttpMethod.Get, $"/api/patients/{id}"),
            new(HttpMethod.Get, $"/api/imports/{app.HwmuImportId}"),
            new(HttpMethod.Put, $"/api/patients/{id}/clinical") { Content = Json(ValidClinical) },
            new(HttpMethod.Put, $"/api/patients/{id}/ihc") { Content = Json(ValidIhc) },
            new(HttpMethod.Put, $"/api/patients/{id}/outcome") { Content = Json(ValidOutcome) },
            new(HttpMethod.Post, "/api/sites/HWMU/patients") { Content = Json("""{"pseudonym":"HWMU-X1","treatmentArm":"FolfoxAlone","cohortCodes":[]}""") },
            new(HttpMethod.Post, "/api/sites/HWMU/imports/patients") { Content = CsvForm("pseudonym,treatment_arm,cohorts\nHWMU-X2,folfox,\n") },
            new(HttpMethod.Get, $"/api/patients/{id}/images"),
            new(HttpMethod.Post, $"/api/patients/{id}/images") { Content = CsvForm("DICM", "slice.dcm") },
        };

        foreach (var request in requests)
        {
            var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}");
            Assert.DoesNotContain("HWMU-B0001", body);
        }

        var pi = await app.SignInAsync("pi");
        var patient = await pi.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/patients/{id}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, patient.GetProperty("clinical").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, patient.GetProperty("outcome").ValueKind);
        var hwmu = await pi.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/sites/HWMU/patients");
        Assert.Single(hwmu!);
    }

    [Fact]
    public async Task SiteList_ForACoordinator_HidesOtherSites()
    {
        var client = await app.SignInAsync("zsh-coordinator");

        var page = await client.GetStringAsync("/");

        Assert.Contains("href=\"/sites/ZSH\"", page);
        Assert.DoesNotContain("href=\"/sites/HWMU\"", page);
    }

    [Theory]
    [InlineData("pi")]
    [InlineData("reviewer")]
    [InlineData("admin")]
    public async Task Readers_AreForbiddenToEditPatientData(string user)
    {
        var client = await app.SignInAsync(user);
        await DerbyWebFactory.UseAntiforgeryAsync(client);

        var response = await client.PutAsync($"/api/patients/{app.ZshPatientId}/clinical", Json(ValidClinical));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task StateChangingApi_RequiresTheAntiforgeryHeader()
    {
        var client = await app.SignInAsync("zsh-coordinator");

        var response = await client.PutAsync($"/api/patients/{app.ZshPatientId}/ihc", Json(ValidIhc));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anti-forgery", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Coordinator_SavesOwnPatientData_AndGetsEveryFieldErrorForBadData()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);

        var bad = await client.PutAsync($"/api/patients/{app.ZshPatientId}/outcome",
            Json("""{"bestResponse":"PartialResponse","pfsMonths":30,"pfsEvent":false,"osMonths":12,"osEvent":true}"""));
        var problem = await bad.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var good = await client.PutAsync($"/api/patients/{app.ZshPatientId}/ihc", Json(ValidIhc));
        var saved = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/patients/{app.ZshPatientId}");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = problem.GetProperty("errors");
        Assert.Contains("cannot be longer than OS", errors.GetProperty("pfs_months")[0].GetString());
        Assert.Contains("PFS cannot be censored", errors.GetProperty("pfs_event")[0].GetString());
        Assert.Contains("required", errors.GetProperty("liver_resection")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        Assert.Equal(11.2, saved.GetProperty("ihc").GetProperty("glut1Score").GetDouble());
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static MultipartFormDataContent CsvForm(string csv, string name = "upload.csv")
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", name } };
    }
}
