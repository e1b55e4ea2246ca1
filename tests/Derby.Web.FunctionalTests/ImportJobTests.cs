using System.Text.Json;

namespace Derby.Web.FunctionalTests;

/// <summary>The CSV import through the API and the in-process Hangfire server, end to end.</summary>
[Collection(WebCollection.Name)]
public sealed class ImportJobTests(DerbyWebFactory app)
{
    private static async Task<JsonElement> WaitForEndAsync(HttpClient client, Uri location)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>(location);
            var status = run.GetProperty("status").GetString();
            if (status is "Succeeded" or "Rejected" or "Failed")
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"import still {status} after 60 s");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Import_RunsAsABackgroundJob_AndWritesEveryRow()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var csv = "pseudonym,treatment_arm,cohorts\n" + string.Concat(Enumerable.Range(1, 40).Select(i => $"ZSH-J{i:D3},folfox_bevacizumab,internal-validation\n"));

        var accepted = await client.PostAsync("/api/sites/ZSH/imports/patients", RoleIsolationTests.CsvForm(csv, "batch.csv"));
        var run = await WaitForEndAsync(client, accepted.Headers.Location!);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal(40, run.GetProperty("writtenRows").GetInt32());
        Assert.Equal(1.0, run.GetProperty("progress").GetDouble());
        var patients = await client.GetFromJsonAsync<JsonElement[]>("/api/sites/ZSH/patients");
        Assert.Equal(40, patients!.Count(p => p.GetProperty("pseudonym").GetString()!.StartsWith("ZSH-J")));
    }

    [Fact]
    public async Task Import_IsRefusedWithPerRowReasons_AndWritesNothing()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var csv = "pseudonym,treatment_arm,cohorts\nZSH-K001,folfox,training\nZSH-K002,chemo,training\nZSH-K001,folfox,training\n";

        var accepted = await client.PostAsync("/api/sites/ZSH/imports/patients", RoleIsolationTests.CsvForm(csv));
        var run = await WaitForEndAsync(client, accepted.Headers.Location!);

        Assert.Equal("Rejected", run.GetProperty("status").GetString());
        var lines = run.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).ToList();
        Assert.Equal([3, 4], lines);
        var patients = await client.GetFromJsonAsync<JsonElement[]>("/api/sites/ZSH/patients");
        Assert.DoesNotContain(patients!, p => p.GetProperty("pseudonym").GetString()!.StartsWith("ZSH-K"));
    }

    [Fact]
    public async Task Import_WithoutAFile_GetsAClearError()
    {
        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);

        var response = await client.PostAsync("/api/sites/ZSH/imports/clinical", new MultipartFormDataContent { { new StringContent("x"), "other" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("form field 'file'", await response.Content.ReadAsStringAsync());
    }
}
