using System.IO.Compression;
using System.Net.Http.Headers;
using Derby.Application.Access;
using Derby.Application.Patients;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Synthetic;

namespace Derby.Web.FunctionalTests;

/// <summary>DICOM over HTTP: a zip of a patient's PET/CT is stored whole; hostile archives and PHI are refused with nothing stored.</summary>
[Collection(WebCollection.Name)]
public sealed class ImageUploadTests(DerbyWebFactory app) : IDisposable
{
    private readonly string study = Path.Combine(Path.GetTempPath(), "derby-upload-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(study))
        {
            Directory.Delete(study, true);
        }
    }

    private async Task<(Guid Id, string Folder)> SyntheticPatientAsync(string pseudonym, params Derby.Synthetic.Output.FaultKind[] faults)
    {
        var result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(study, 41, StudyScale.Small) { Faults = faults });
        var truth = result.Truth.Patients.Single(p => p.Pseudonym == pseudonym);
        await using var scope = app.Services.CreateAsyncScope();
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();
        var patient = await patients.RegisterAsync(AccessScope.System, truth.Site,
            new PatientInput { Pseudonym = pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["external-validation"] });
        return (patient.Id, Path.Combine(study, "sites", truth.Site, "dicom", pseudonym));
    }

    private static ByteArrayContent Zip(string folder, Action<ZipArchive>? extra = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.dcm", SearchOption.AllDirectories))
            {
                zip.CreateEntryFromFile(file, Path.GetRelativePath(folder, file));
            }

            extra?.Invoke(zip);
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    [Fact]
    public async Task ZipOfAPatientsSeries_IsStoredWhole_AndResendingStoresNothingNew()
    {
        var (id, folder) = await SyntheticPatientAsync("HWMU-0002");
        var client = await app.SignInAsync("hwmu-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var files = Directory.GetFiles(folder, "*.dcm", SearchOption.AllDirectories).Length;

        var first = await client.PostAsync($"/api/patients/{id}/images", new MultipartFormDataContent { { Zip(folder), "files", "HWMU-0002.zip" } });
        var second = await client.PostAsync($"/api/patients/{id}/images", new MultipartFormDataContent { { Zip(folder), "files", "again.zip" } });
        var series = await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/images");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var result = await first.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(files, result.GetProperty("stored").GetInt32());
        var again = await second.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(0, again.GetProperty("stored").GetInt32());
        Assert.Equal(files, again.GetProperty("alreadyStored").GetInt32());
        Assert.Equal(["Ct", "Pet"], series!.Select(s => s.GetProperty("modality").GetString()).Order());
    }

    [Fact]
    public async Task ZipSlipArchive_IsRefused_AndNothingIsStored()
    {
        var (id, folder) = await SyntheticPatientAsync("HWMU-0003");
        var client = await app.SignInAsync("hwmu-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);

        var response = await client.PostAsync($"/api/patients/{id}/images", new MultipartFormDataContent
        {
            { Zip(folder, zip => zip.CreateEntry("../../escape.dcm")), "files", "evil.zip" },
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("escape.dcm", await response.Content.ReadAsStringAsync());
        Assert.Empty(await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/images") ?? []);
    }

    [Fact]
    public async Task FilesWithPhi_AreRefusedWithTheirReasons()
    {
        var (id, folder) = await SyntheticPatientAsync("HWMU-0001", Derby.Synthetic.Output.FaultKind.Phi);
        var client = await app.SignInAsync("hwmu-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);

        var response = await client.PostAsync($"/api/patients/{id}/images", new MultipartFormDataContent { { Zip(folder), "files", "phi.zip" } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Burned In Annotation is YES", body);
        Assert.Empty(await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/images") ?? []);
    }
}
