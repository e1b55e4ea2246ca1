using Derby.Application.Access;
using Derby.Application.Imaging;
using Derby.Application.Patients;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Synthetic;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// What the PET/CT viewer reads: WADO-RS series metadata (every instance in one response, in slice order) and the viewer
/// page, for every role that may see the patient and for no one else (another site's coordinator gets 404).
/// </summary>
[Collection(WebCollection.Name)]
public sealed class PetCtViewerTests(DerbyWebFactory app)
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static (Guid Id, string Pseudonym, int PetFiles, int CtFiles)? imaged;

    /// <summary>
    /// A ZSHX patient (a site no other test stores images for) with the PET and CT of a synthetic patient, stored once for
    /// the class through the real ingestion.
    /// </summary>
    private async Task<(Guid Id, string Pseudonym, int PetFiles, int CtFiles)> PatientWithImagesAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (imaged is { } done)
            {
                return done;
            }

            var folder = Path.Combine(Path.GetTempPath(), "derby-viewer-tests", Guid.NewGuid().ToString("N"));
            try
            {
                var result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(folder, 43, StudyScale.Small));
                var truth = result.Truth.Patients.Where(p => p.Site == "ZSHX").OrderBy(p => p.Pseudonym, StringComparer.Ordinal).First();
                await using var scope = app.Services.CreateAsyncScope();
                var patient = await scope.ServiceProvider.GetRequiredService<PatientService>().RegisterAsync(AccessScope.System, truth.Site,
                    new PatientInput { Pseudonym = truth.Pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["external-validation"] });
                var dicom = Path.Combine(folder, "sites", truth.Site, "dicom", truth.Pseudonym);
                var files = Directory.GetFiles(dicom, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                var ingested = await scope.ServiceProvider.GetRequiredService<DicomIngestService>().IngestAsync(AccessScope.System, patient.Id, files);
                Assert.True(ingested.Accepted, string.Join("; ", ingested.Series.SelectMany(x => x.Reasons)));
                imaged = (patient.Id, truth.Pseudonym, Directory.GetFiles(Path.Combine(dicom, "PT")).Length, Directory.GetFiles(Path.Combine(dicom, "CT")).Length);
                return imaged.Value;
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        finally
        {
            Once.Release();
        }
    }

    [Fact]
    public async Task SeriesMetadata_ReturnsEveryInstanceInSliceOrder_ToReadersOfTheSite_AndNotFoundToAnotherSite()
    {
        var (_, pseudonym, petFiles, _) = await PatientWithImagesAsync();
        var zshx = await app.SignInAsync("zshx-coordinator");
        var studyUid = Assert.Single((await zshx.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/dicomweb/studies?PatientID={pseudonym}"))!)
            .GetProperty("0020000D").GetProperty("Value")[0].GetString()!;
        var pet = (await zshx.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/dicomweb/studies/{studyUid}/series"))!
            .Single(s => s.GetProperty("00080060").GetProperty("Value")[0].GetString() == "PT").GetProperty("0020000E").GetProperty("Value")[0].GetString()!;
        var url = $"/dicomweb/studies/{studyUid}/series/{pet}/metadata";

        var response = await zshx.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        var instances = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement[]>())!;
        Assert.Equal(petFiles, instances.Length);
        Assert.All(instances, i => Assert.Equal(pet, i.GetProperty("0020000E").GetProperty("Value")[0].GetString()));
        Assert.Equal(petFiles, instances.Select(i => i.GetProperty("00080018").GetProperty("Value")[0].GetString()).Distinct().Count());
        Assert.All(instances, i => Assert.False(i.TryGetProperty("7FE00010", out _)));
        // Slice order: ascending along the normal, which is +z for these axial images.
        var z = instances.Select(i => i.GetProperty("00200032").GetProperty("Value")[2].GetDouble()).ToList();
        Assert.Equal(z.Order(), z);

        foreach (var reader in new[] { "pi", "reviewer", "admin" })
        {
            Assert.Equal(HttpStatusCode.OK, (await (await app.SignInAsync(reader)).GetAsync(url)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("zsh-coordinator")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("hwmu-coordinator")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await zshx.GetAsync($"/dicomweb/studies/{studyUid}/series/1.2.3.4/metadata")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await zshx.GetAsync($"/dicomweb/studies/1.2.3.4/series/{pet}/metadata")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task ViewerPage_OpensForEveryRoleThatSeesThePatient_AndIsNotFoundForAnotherSite()
    {
        var (id, pseudonym, _, _) = await PatientWithImagesAsync();

        foreach (var user in new[] { "zshx-coordinator", "pi", "reviewer", "admin" })
        {
            var response = await (await app.SignInAsync(user)).GetAsync($"/patients/{id}/viewer");
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{user}: {(int)response.StatusCode}");
            Assert.Contains($"{pseudonym}: PET/CT", html);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("zsh-coordinator")).GetAsync($"/patients/{id}/viewer")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("hwmu-coordinator")).GetAsync($"/patients/{id}/viewer")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("pi")).GetAsync($"/patients/{Guid.NewGuid()}/viewer")).StatusCode);

        // The patient page links to the viewer once both series are stored.
        var patientPage = await (await app.SignInAsync("zshx-coordinator")).GetStringAsync($"/patients/{id}");
        Assert.Contains($"/patients/{id}/viewer", patientPage);
    }

    // The collocated PetCtViewer.razor.js is not in this list: outside Development the test host has no static web assets
    // manifest for files outside wwwroot (a published app has them in wwwroot; the browser test loads it from there).
    [Theory]
    [InlineData("/dist/petct-viewer.js", "text/javascript")]
    [InlineData("/dist/decodeImageFrameWorker.js", "text/javascript")]
    [InlineData("/dist/computeWorker.js", "text/javascript")]
    [InlineData("/dist/openjpegwasm_decode.wasm", "application/wasm")]
    [InlineData("/dist/charlswasm_decode.wasm", "application/wasm")]
    public async Task ViewerBundle_WorkersAndCodecs_AreServedByTheAppItself(string path, string mediaType)
    {
        var response = await (await app.SignInAsync("pi")).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
    }
}
