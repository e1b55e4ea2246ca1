using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Patients;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Synthetic;
using Derby.Synthetic.Output;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The lesion API end to end in the real app: images uploaded over HTTP, a box around the patient's largest true lesion,
/// the segmentation and pairs run by the in-process Hangfire server, and the access rules for every other role.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class LesionApiTests(DerbyWebFactory app) : IDisposable
{
    private readonly string study = Path.Combine(Path.GetTempPath(), "derby-lesion-api-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(study))
        {
            Directory.Delete(study, true);
        }
    }

    [Fact]
    public async Task Coordinator_SegmentsAcceptsAndGetsPairs_OthersAreRefused()
    {
        var result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(study, 43, StudyScale.Small));
        // A ZSH patient (no other test of the collection registers the generator's ZSH pseudonyms) with the largest lesion.
        var truth = result.Truth.Patients.Where(p => p.Site == "ZSH")
            .OrderByDescending(p => p.Imaging!.Lesions.Max(l => l.DiameterCm)).First();
        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<PatientService>().RegisterAsync(AccessScope.System, "ZSH",
                new PatientInput { Pseudonym = truth.Pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["training"] })).Id;
        }

        var coordinator = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(coordinator);
        var upload = await coordinator.PostAsync($"/api/patients/{id}/images", new MultipartFormDataContent { { Zip(Path.Combine(study, "sites", "ZSH", "dicom", truth.Pseudonym)), "files", "p.zip" } });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var series = await coordinator.GetFromJsonAsync<JsonElement[]>($"/api/patients/{id}/images");
        var pet = series!.Single(s => s.GetProperty("modality").GetString() == "Pet").GetProperty("id").GetGuid();
        var box = BoxAround(truth.Imaging!.Pet, truth.Imaging.Lesions.MaxBy(l => l.DiameterCm)!, 8);
        var request = new { petSeriesId = pet, box, threshold = (double?)null };

        var pi = await app.SignInAsync("pi");
        await DerbyWebFactory.UseAntiforgeryAsync(pi);
        var other = await app.SignInAsync("hwmu-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, (await pi.PostAsJsonAsync($"/api/patients/{id}/lesions", request)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/patients/{id}/lesions", request)).StatusCode);
        var noToken = await app.SignInAsync("zsh-coordinator");
        Assert.Equal(HttpStatusCode.BadRequest, (await noToken.PostAsJsonAsync($"/api/patients/{id}/lesions", request)).StatusCode);
        var bad = await coordinator.PostAsJsonAsync($"/api/patients/{id}/lesions", new { petSeriesId = pet, box = new { x0 = 0, y0 = 0, z0 = 0, x1 = 9999, y1 = 1, z1 = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("outside the series' grid", await bad.Content.ReadAsStringAsync());

        var created = await coordinator.PostAsJsonAsync($"/api/patients/{id}/lesions", request);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var lesionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var segmented = await WaitAsync(coordinator, lesionId, l => l.GetProperty("status").GetString() != "queued");
        Assert.Equal("segmented", segmented.GetProperty("status").GetString());
        Assert.True(segmented.GetProperty("voxels").GetInt32() > 20);

        var mask = await coordinator.GetAsync($"/api/lesions/{lesionId}/mask");
        Assert.Equal(HttpStatusCode.OK, mask.StatusCode);
        Assert.Equal($"{box.x0},{box.y0},{box.z0},{box.x1},{box.y1},{box.z1}", mask.Headers.GetValues("X-Derby-Box").Single());
        var bytes = await mask.Content.ReadAsByteArrayAsync();
        Assert.Equal((box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1) * (box.z1 - box.z0 + 1), bytes.Length);
        Assert.Equal(segmented.GetProperty("voxels").GetInt32(), bytes.Count(b => b != 0));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/lesions/{lesionId}/mask")).StatusCode);
        var seg = await pi.GetAsync($"/api/lesions/{lesionId}/seg");
        Assert.Equal(HttpStatusCode.OK, seg.StatusCode);
        Assert.Equal("application/dicom", seg.Content.Headers.ContentType!.MediaType);
        var segFile = Path.Combine(study, "lesion.dcm");
        await File.WriteAllBytesAsync(segFile, await seg.Content.ReadAsByteArrayAsync());
        var segRead = new GdcmDicomFileReader().Read(segFile).Dataset;
        Assert.Equal("SEG", segRead.GetString(Derby.Imaging.Dicom.DicomTags.Modality));
        Assert.Equal(truth.Pseudonym, segRead.GetString(Derby.Imaging.Dicom.DicomTags.PatientId));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/lesions/{lesionId}/seg")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await pi.GetAsync($"/api/lesions/{lesionId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await pi.PostAsync($"/api/lesions/{lesionId}/accept", null)).StatusCode);

        var accepted = await coordinator.PostAsync($"/api/lesions/{lesionId}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var withPairs = await WaitAsync(coordinator, lesionId, l => l.GetProperty("pairs").GetInt32() > 0);
        Assert.Equal("accepted", withPairs.GetProperty("status").GetString());
        var list = await pi.GetFromJsonAsync<JsonElement[]>($"/api/patients/{id}/lesions");
        Assert.Single(list!);

        // The stored pairs for display: one per PET slice the mask crosses, the mask on each crop as many pixels as the
        // pair's ROI area (the builder counts them on the whole slice; the crop is centred on the lesion).
        var pairs = await pi.GetFromJsonAsync<JsonElement>($"/api/lesions/{lesionId}/pairs");
        var items = pairs.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(withPairs.GetProperty("pairs").GetInt32(), items.Count);
        var size = pairs.GetProperty("cropSize").GetInt32();
        Assert.All(items, p =>
        {
            Assert.Equal(size * size, p.GetProperty("pet").GetArrayLength());
            Assert.Equal(3 * size * size, p.GetProperty("ct").GetArrayLength());
            Assert.Equal(p.GetProperty("roiArea").GetInt32(), Convert.FromBase64String(p.GetProperty("mask").GetString()!).Count(b => b == 1));
        });
        Assert.Equal(bytes.Count(b => b != 0), items.Sum(p => p.GetProperty("roiArea").GetInt32()));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/lesions/{lesionId}/pairs")).StatusCode);

        // No network has been trained here: no Grad-CAM versions for the lesion; another site's coordinator gets 404.
        Assert.Empty(await pi.GetFromJsonAsync<string[]>($"/api/lesions/{lesionId}/gradcam") ?? ["?"]);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/lesions/{lesionId}/gradcam")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pi.GetAsync($"/api/lesions/{lesionId}/gradcam/net-20000101-000000")).StatusCode);
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, Guid lesionId, Func<JsonElement, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var lesion = await client.GetFromJsonAsync<JsonElement>($"/api/lesions/{lesionId}");
            if (done(lesion) || DateTime.UtcNow > until)
            {
                return lesion;
            }

            await Task.Delay(200);
        }
    }

    private static BoxDto BoxAround(SeriesTruth g, LesionTruth lesion, double marginMm)
    {
        int At(int axis, double spacing, double extra) => (int)Math.Round((lesion.CenterMm[axis] - g.FirstPositionMm[axis] + extra) / spacing);
        var (cs, rs, ks) = (g.PixelSpacingMm[1], g.PixelSpacingMm[0], g.SliceThicknessMm);
        var (a, b, c) = (lesion.SemiAxesMm[0] + marginMm, lesion.SemiAxesMm[1] + marginMm, lesion.SemiAxesMm[2] + marginMm);
        return new BoxDto(Math.Max(0, At(0, cs, -a)), Math.Max(0, At(1, rs, -b)), Math.Max(0, At(2, ks, -c)),
            Math.Min(g.Columns - 1, At(0, cs, a)), Math.Min(g.Rows - 1, At(1, rs, b)), Math.Min(g.Slices - 1, At(2, ks, c)));
    }

    private sealed record BoxDto(int x0, int y0, int z0, int x1, int y1, int z1);

    private static ByteArrayContent Zip(string folder)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.dcm", SearchOption.AllDirectories))
            {
                zip.CreateEntryFromFile(file, Path.GetRelativePath(folder, file));
            }
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }
}
