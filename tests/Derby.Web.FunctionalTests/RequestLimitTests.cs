using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Derby.Application.Common;
using Microsoft.EntityFrameworkCore;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// Request body limits (ADR 23): 1 MiB for ordinary requests, the CSV limit for imports, the staged-upload limit for DICOM
/// uploads and STOW-RS (ADR 9). An oversized body is refused with 413 and its reason, before anything of it is read, and
/// nothing is stored.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RequestLimitTests(DerbyWebFactory app)
{
    private const long MiB = 1024 * 1024;

    /// <summary>A body that declares <paramref name="length"/> bytes and sends none: the declared length alone must be refused.</summary>
    private sealed class DeclaredLengthContent : HttpContent
    {
        private readonly long length;

        public DeclaredLengthContent(long length, MediaTypeHeaderValue contentType)
        {
            this.length = length;
            Headers.ContentType = contentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Task.CompletedTask;

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return true;
        }
    }

    private static async Task AssertRefusedAsTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var detail = await response.Content.ReadAsStringAsync();
        Assert.Contains("bytes this address accepts", detail);
        Assert.Contains("nothing was stored", detail);
    }

    private async Task<(int Patients, int Imports, int Series)> CountsAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDerbyDbContextFactory>().CreateAsync();
        return (await db.Patients.CountAsync(), await db.ImportRuns.CountAsync(), await db.ImagingSeries.CountAsync());
    }

    private static MultipartFormDataContent CsvForm(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "patients.csv" } };
    }

    [Fact]
    public async Task JsonApi_RefusesABodyOverOneMiB_WithItsReason_AndStoresNothing()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var before = await CountsAsync();
        var json = "{\"pseudonym\":\"ZSH-L0001\",\"treatmentArm\":\"FolfoxAlone\",\"cohortCodes\":[],\"padding\":\"" + new string('x', (int)(2 * MiB)) + "\"}";

        var response = await client.PostAsync("/api/sites/ZSH/patients", new StringContent(json, Encoding.UTF8, "application/json"));

        await AssertRefusedAsTooLargeAsync(response);
        Assert.Contains("1,048,576", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task SignInForm_RefusesAnOversizedBody_AndAnOverlongField()
    {
        var client = app.Anonymous();
        var page = await client.GetStringAsync("/account/login");
        var token = Html.InputValue(page, "__RequestVerificationToken");
        FormUrlEncodedContent Form(string userName) => new(new Dictionary<string, string>
        {
            ["userName"] = userName, ["password"] = "whatever-it-is", ["__RequestVerificationToken"] = token,
        });

        var oversized = await client.PostAsync("/account/login", Form(new string('a', (int)(2 * MiB))));
        var overlongField = await client.PostAsync("/account/login", Form(new string('a', 20_000)));

        await AssertRefusedAsTooLargeAsync(oversized);
        // Over the 16 Ki form value limit: the form is not read, nobody is signed in.
        Assert.True(overlongField.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, overlongField.StatusCode.ToString());
    }

    [Fact]
    public async Task CsvImport_RefusesAFileOverItsLimit_AndAcceptsLargerBodiesThanOrdinaryRequests()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var before = await CountsAsync();

        var tooLarge = await client.PostAsync("/api/sites/ZSH/imports/patients", CsvForm(new byte[6 * MiB]));
        // 2 MiB: over the ordinary limit, within the import's; the import's own check answers (not a CSV).
        var withinTheRequestLimit = await client.PostAsync("/api/sites/ZSH/imports/patients", CsvForm(Encoding.UTF8.GetBytes("pseudonym,treatment_arm\n" + new string('x', (int)(2 * MiB)))));

        await AssertRefusedAsTooLargeAsync(tooLarge);
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, withinTheRequestLimit.StatusCode);
        Assert.Equal(before.Patients, (await CountsAsync()).Patients);
        Assert.Equal(before.Imports + (withinTheRequestLimit.IsSuccessStatusCode ? 1 : 0), (await CountsAsync()).Imports);
    }

    [Fact]
    public async Task DicomUpload_RefusesABodyOverTheUploadLimit_BeforeReadingIt()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var before = await CountsAsync();
        var declared = new DeclaredLengthContent(Derby.Application.Uploads.UploadLimits.Default.MaxTotalBytes + 1,
            MediaTypeHeaderValue.Parse("multipart/form-data; boundary=derby-test"));

        var response = await client.PostAsync($"/api/patients/{app.ZshPatientId}/images", declared);
        // 2 MiB of not-DICOM: within the upload limit, refused by the ingestion instead (422), nothing stored either.
        var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[2 * MiB]), "files", "slice.dcm" } };
        var withinTheLimit = await client.PostAsync($"/api/patients/{app.ZshPatientId}/images", form);

        await AssertRefusedAsTooLargeAsync(response);
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, withinTheLimit.StatusCode);
        Assert.Equal(before, await CountsAsync());
        var staging = Path.Combine(app.DataDirectory, "staging");
        Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task StowRs_RefusesABodyOverTheUploadLimit_BeforeReadingIt()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var before = await CountsAsync();
        var declared = new DeclaredLengthContent(Derby.Application.Uploads.UploadLimits.Default.MaxTotalBytes + 1,
            MediaTypeHeaderValue.Parse("multipart/related; type=\"application/dicom\"; boundary=derby-test"));

        var response = await client.PostAsync("/dicomweb/studies", declared);

        await AssertRefusedAsTooLargeAsync(response);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task ChangePasswordForm_KeepsTheOrdinaryLimit()
    {
        var client = await app.SignInAsync("admin");
        var page = await client.GetStringAsync("/account/password");
        var token = Html.InputValue(page, "__RequestVerificationToken");

        var response = await client.PostAsync("/account/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "change-password", ["__RequestVerificationToken"] = token, ["Input.CurrentPassword"] = new string('p', (int)(2 * MiB)),
        }));

        await AssertRefusedAsTooLargeAsync(response);
    }
}
