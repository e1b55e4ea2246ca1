using System.Net.Http.Headers;
using System.Text;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Patients;
using Derby.Application.Tokens;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Synthetic;
using Microsoft.EntityFrameworkCore;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// DICOMweb: STOW-RS with a site API token (the body built byte for byte as scripts/stow-example.sh builds it for curl),
/// tokens of another site, revoked tokens and no token refused; QIDO-RS and WADO-RS restricted by site.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DicomWebTests(DerbyWebFactory app) : IDisposable
{
    private const string Boundary = "DerbyStowBoundary";
    private readonly string study = Path.Combine(Path.GetTempPath(), "derby-dicomweb-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(study))
        {
            Directory.Delete(study, true);
        }
    }

    /// <summary>Registers a synthetic patient (by pseudonym, or the site's last but <paramref name="fromLast"/>) and returns its DICOM files.</summary>
    private async Task<(Guid Id, string[] Files)> SyntheticPatientAsync(string? pseudonym, string site = "HWMU", int fromLast = 0)
    {
        var result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(study, 41, StudyScale.Small));
        var truth = pseudonym is null
            ? result.Truth.Patients.Where(p => p.Site == site).OrderByDescending(p => p.Pseudonym, StringComparer.Ordinal).ElementAt(fromLast)
            : result.Truth.Patients.Single(p => p.Pseudonym == pseudonym);
        pseudonym = truth.Pseudonym;
        await using var scope = app.Services.CreateAsyncScope();
        var patient = await scope.ServiceProvider.GetRequiredService<PatientService>().RegisterAsync(AccessScope.System, truth.Site,
            new PatientInput { Pseudonym = pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["external-validation"] });
        var folder = Path.Combine(study, "sites", truth.Site, "dicom", pseudonym);
        return (patient.Id, Directory.GetFiles(folder, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray());
    }

    private async Task<IssuedSiteToken> IssueAsync(string site)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SiteTokenService>().IssueAsync(AccessScope.System, site, "test PACS " + Guid.NewGuid());
    }

    /// <summary>The body scripts/stow-example.sh sends: each file as a part "--boundary CRLF Content-Type CRLF CRLF bytes CRLF", then "--boundary--".</summary>
    private static ByteArrayContent StowBody(IEnumerable<string> files)
    {
        using var body = new MemoryStream();
        foreach (var file in files)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(File.ReadAllBytes(file));
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}");
        return content;
    }

    private HttpClient WithToken(string secret)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private async Task<string> AnySopInstanceUidAsync(string seriesInstanceUid)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDerbyDbContextFactory>().CreateAsync();
        return await db.ImagingInstances.Where(i => i.Series!.SeriesInstanceUid == seriesInstanceUid).Select(i => i.SopInstanceUid).FirstAsync();
    }

    [Fact]
    public async Task StowWithSiteToken_StoresThePatientsSeries_VisibleToItsSiteOnly()
    {
        var (id, files) = await SyntheticPatientAsync("HWMU-0004");
        var token = await IssueAsync("HWMU");

        var response = await WithToken(token.Secret).PostAsync("/dicomweb/studies", StowBody(files));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var result = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.Equal(files.Length, result.GetProperty("stored").GetInt32());
        Assert.All(result.GetProperty("fileResults").EnumerateArray(), f => Assert.Equal("accepted", f.GetProperty("status").GetString()));

        // Stored files are the patient's images, as the pages and API see them.
        var hwmu = await app.SignInAsync("hwmu-coordinator");
        var images = await hwmu.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/images");
        Assert.Equal(["Ct", "Pet"], images!.Select(s => s.GetProperty("modality").GetString()).Order());

        // QIDO-RS: the token and the site's coordinator find the study and its series; another site's coordinator does not.
        var studies = await WithToken(token.Secret).GetFromJsonAsync<System.Text.Json.JsonElement[]>("/dicomweb/studies?PatientID=HWMU-0004");
        var studyUid = Assert.Single(studies!).GetProperty("0020000D").GetProperty("Value")[0].GetString()!;
        Assert.Equal("UI", studies![0].GetProperty("0020000D").GetProperty("vr").GetString());
        var seriesResponse = await hwmu.GetAsync($"/dicomweb/studies/{studyUid}/series");
        Assert.Equal("application/dicom+json", seriesResponse.Content.Headers.ContentType?.MediaType);
        var series = await seriesResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement[]>();
        Assert.Equal(["CT", "PT"], series!.Select(s => s.GetProperty("00080060").GetProperty("Value")[0].GetString()).Order());

        var zsh = await app.SignInAsync("zsh-coordinator");
        var zshStudies = await zsh.GetStringAsync("/dicomweb/studies");
        Assert.DoesNotContain(studyUid, zshStudies);
        Assert.Equal(HttpStatusCode.NotFound, (await zsh.GetAsync($"/dicomweb/studies/{studyUid}/series")).StatusCode);

        // WADO-RS: the instance is returned as the one part of multipart/related to its site, not found for another site.
        var seriesUid = series![0].GetProperty("0020000E").GetProperty("Value")[0].GetString()!;
        var sop = await AnySopInstanceUidAsync(seriesUid);
        var url = $"/dicomweb/studies/{studyUid}/series/{seriesUid}/instances/{sop}";
        var instance = await hwmu.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, instance.StatusCode);
        Assert.Equal("multipart/related", instance.Content.Headers.ContentType?.MediaType);
        var parts = new Microsoft.AspNetCore.WebUtilities.MultipartReader(
            instance.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'), await instance.Content.ReadAsStreamAsync());
        var part = await parts.ReadNextSectionAsync();
        Assert.Equal("application/dicom", part!.ContentType);
        using var bytes = new MemoryStream();
        await part.Body.CopyToAsync(bytes);
        Assert.Equal("DICM", Encoding.ASCII.GetString(bytes.ToArray(), 128, 4));
        Assert.Null(await parts.ReadNextSectionAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await zsh.GetAsync(url)).StatusCode);

        // WADO-RS metadata: the instance's attributes as DICOM JSON, its pseudonym as a person name; not found for another site.
        var metadata = await hwmu.GetFromJsonAsync<System.Text.Json.JsonElement[]>(url + "/metadata");
        var attributes = Assert.Single(metadata!);
        Assert.Equal(sop, attributes.GetProperty("00080018").GetProperty("Value")[0].GetString());
        Assert.Equal("HWMU-0004", attributes.GetProperty("00100020").GetProperty("Value")[0].GetString());
        Assert.Equal("PN", attributes.GetProperty("00100010").GetProperty("vr").GetString());
        Assert.True(attributes.GetProperty("00280010").GetProperty("Value")[0].GetInt32() > 0);
        Assert.False(attributes.TryGetProperty("7FE00010", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await zsh.GetAsync(url + "/metadata")).StatusCode);

        // WADO-RS frames: the one frame's stored values, rows × columns × bits allocated / 8 bytes; no second frame; not found for another site.
        var frame = await hwmu.GetAsync(url + "/frames/1");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        var frameParts = new Microsoft.AspNetCore.WebUtilities.MultipartReader(
            frame.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'), await frame.Content.ReadAsStreamAsync());
        var framePart = await frameParts.ReadNextSectionAsync();
        Assert.Equal("application/octet-stream", framePart!.ContentType);
        using var pixels = new MemoryStream();
        await framePart.Body.CopyToAsync(pixels);
        int Number(string tag) => attributes.GetProperty(tag).GetProperty("Value")[0].GetInt32();
        Assert.Equal(Number("00280010") * Number("00280011") * Number("00280100") / 8, pixels.Length);
        Assert.Null(await frameParts.ReadNextSectionAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await hwmu.GetAsync(url + "/frames/2")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hwmu.GetAsync(url + "/frames/0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await zsh.GetAsync(url + "/frames/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WithToken(token.Secret).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await WithToken((await IssueAsync("ZSH")).Secret).GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task TokenOfAnotherSite_IsRefused_AndNothingIsStored()
    {
        var (id, files) = await SyntheticPatientAsync(null, "ZSH");
        var hwmuToken = await IssueAsync("HWMU");

        var response = await WithToken(hwmuToken.Secret).PostAsync("/dicomweb/studies", StowBody(files));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("unknown patient", body);
        var zsh = await app.SignInAsync("zsh-coordinator");
        Assert.Empty(await zsh.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/images") ?? []);
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDerbyDbContextFactory>().CreateAsync();
        Assert.False(await db.ImagingSeries.AnyAsync(s => s.PatientId == id));
    }

    [Fact]
    public async Task NoToken_RevokedToken_AndUnknownToken_Get401()
    {
        var token = await IssueAsync("HWMU");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SiteTokenService>().RevokeAsync(AccessScope.System, token.Id);
        }

        var empty = StowBody([]);
        var anonymous = await app.Anonymous().PostAsync("/dicomweb/studies", StowBody([]));
        Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, anonymous.StatusCode + " " + anonymous.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken(token.Secret).PostAsync("/dicomweb/studies", empty)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken("derby_not-a-token").PostAsync("/dicomweb/studies", StowBody([]))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken(token.Secret).GetAsync("/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/dicomweb/studies")).StatusCode);

        // A valid token reaches DICOMweb only, not the rest of the API.
        var valid = WithToken((await IssueAsync("HWMU")).Secret);
        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync("/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await valid.GetAsync($"/api/patients/{app.HwmuPatientId}")).StatusCode);
    }

    [Fact]
    public async Task SignedInCoordinator_StoresWithTheAntiforgeryHeader_AndReadersOfAllSitesFindTheStudy()
    {
        var (id, files) = await SyntheticPatientAsync(null, "ZSH", fromLast: 1);
        var zsh = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(zsh);

        var response = await zsh.PostAsync("/dicomweb/studies", StowBody(files));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, (await zsh.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/images"))!.Length);
        var pseudonym = (await zsh.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/patients/{id}")).GetProperty("pseudonym").GetString();
        var reviewer = await app.SignInAsync("reviewer");
        Assert.Single((await reviewer.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/dicomweb/studies?PatientID={pseudonym}"))!);
        var hwmu = await app.SignInAsync("hwmu-coordinator");
        Assert.Empty((await hwmu.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/dicomweb/studies?PatientID={pseudonym}"))!);
    }

    [Fact]
    public async Task SignedInCoordinator_NeedsTheAntiforgeryHeader_AndReadersCannotStore()
    {
        var hwmu = await app.SignInAsync("hwmu-coordinator");
        Assert.Equal(HttpStatusCode.BadRequest, (await hwmu.PostAsync("/dicomweb/studies", StowBody([]))).StatusCode);

        var pi = await app.SignInAsync("pi");
        await DerbyWebFactory.UseAntiforgeryAsync(pi);
        Assert.Equal(HttpStatusCode.Forbidden, (await pi.PostAsync("/dicomweb/studies", StowBody([]))).StatusCode);
    }
}
