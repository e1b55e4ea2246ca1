using System.Net.Http.Headers;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Patients;
using Derby.Application.Tokens;
using Derby.Domain;

namespace Derby.Web.FunctionalTests.BadInput;

/// <summary>
/// Issue #10's bad-input corpus (tests/corpus/bad-input/corpus.json): malformed DICOM, PHI, hostile archives and
/// malformed CSV, each sent the way a user or a PACS sends it (the patient page's upload, STOW-RS with a site token,
/// the import page's upload), must be answered with a clear refusal that names the problem, leave every table and the
/// data folder as they were (the audit trail and the import's own run record aside), be audited with the reason, and
/// leave the server healthy.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class BadInputCorpusTests(DerbyWebFactory app)
{
    /// <summary>The ZSH patient every DICOM item claims to be of (registered by <see cref="DerbyWebFactory"/>).</summary>
    public const string Pseudonym = "ZSH-A0001";

    private static readonly SemaphoreSlim TokenLock = new(1, 1);
    private static readonly Dictionary<DerbyWebFactory, string> Tokens = [];

    public static TheoryData<string> Items => [.. Corpus.Items.Select(i => i.Id)];

    [Theory]
    [MemberData(nameof(Items))]
    public async Task CorpusItem_IsRefusedWithAClearReason_AndNothingIsStored(string id)
    {
        var item = Corpus.Items.Single(i => i.Id == id);
        var token = item.Route == "stow" ? await TokenAsync() : null;
        var before = StudySnapshot.Take(app);

        var (status, body) = await SendAsync(item, token);

        Assert.True(item.Status == (int)status, $"{item.Id}: expected {item.Status}, got {(int)status}: {Short(body)}");
        AssertClear(item, body);
        var after = StudySnapshot.Take(app);
        AssertNothingStored(item, before, after);
        if (item.Audit is { } action)
        {
            var events = before.AuditSince(app);
            Assert.True(events.Any(e => e.Action == action && e.Details is { } d && d.Contains("\"reasons\"", StringComparison.Ordinal)),
                $"{item.Id}: no '{action}' audit event with its reasons; recorded: {string.Join(", ", events.Select(e => e.Action + " " + e.Details))}");
        }

        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
    }

    /// <summary>
    /// The positive control: the generator's unbroken series is stored, so every refusal above is for the one defect
    /// each item adds. Runs on a patient of its own.
    /// </summary>
    [Fact]
    public async Task UnbrokenGeneratedSeries_IsStored()
    {
        const string pseudonym = "ZSH-CONTROL01";
        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<PatientService>().RegisterAsync(AccessScope.System, "ZSH",
                new PatientInput { Pseudonym = pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = [] })).Id;
        }

        var client = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(client);
        var files = CorpusDicom.Series(pseudonym, 3, "99").Select((d, i) => new CorpusFile($"s{i}.dcm", d.ToBytes()));

        var response = await client.PostAsync($"/api/patients/{id}/images", CorpusGenerators.Form(files, "files"));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// With the study set to scrub (ADR 8), the PHI items' identifying values are stripped: the upload is stored, and no
    /// stored byte holds any of them; the audit event names the attributes removed. Burned-in annotation is refused
    /// whatever the setting (it is in the pixels).
    /// </summary>
    [Fact]
    public async Task PhiItems_InScrubMode_AreStoredWithoutAnyIdentifyingValue()
    {
        const string pseudonym = "ZSH-SCRUB01";
        (ushort Group, ushort Element, string Vr, string Value)[] phi =
        [
            (0x0010, 0x0010, "PN", "DOE^JOHN"), (0x0010, 0x0030, "DA", "19570312"), (0x0010, 0x1000, "LO", "00123456"),
            (0x0009, 0x1001, "LO", "SMITH^JOHN 00123456"), (0x0020, 0x4000, "LT", "Mr John Smith, born 12/03/1957"), (0x0008, 0x0080, "LO", "St Elsewhere General Hospital"),
        ];
        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<PatientService>().RegisterAsync(AccessScope.System, "ZSH",
                new PatientInput { Pseudonym = pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = [] })).Id;
            await scope.ServiceProvider.GetRequiredService<Derby.Application.Study.StudyService>().SetDeidentificationAsync(AccessScope.System, DeidentificationPolicy.Scrub);
        }

        try
        {
            var files = phi.Select((p, i) =>
            {
                var slice = CorpusDicom.Slice(pseudonym, 0, (70 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (p.Group == 0x0009)
                {
                    slice.Set(0x0009, 0x0010, "LO", "ACME HOSPITAL");
                }

                return new CorpusFile($"phi{i}.dcm", slice.Set(p.Group, p.Element, p.Vr, p.Value).ToBytes());
            }).ToList();
            var client = await app.SignInAsync("zsh-coordinator");
            await DerbyWebFactory.UseAntiforgeryAsync(client);
            var before = StudySnapshot.Take(app);

            var response = await client.PostAsync($"/api/patients/{id}/images", CorpusGenerators.Form(files, "files"));
            var burned = await client.PostAsync($"/api/patients/{id}/images", CorpusGenerators.Form(
                [new CorpusFile("burned.dcm", CorpusDicom.Slice(pseudonym, 0, "79").Set(0x0028, 0x0301, "CS", "YES").ToBytes())], "files"));

            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, burned.StatusCode);
            Assert.Contains("Burned In Annotation is YES", await burned.Content.ReadAsStringAsync());
            var stored = StudySnapshot.Take(app).Files.Except(before.Files).Where(f => f.StartsWith("dicom", StringComparison.Ordinal)).ToList();
            Assert.Equal(phi.Length, stored.Count);
            foreach (var file in stored)
            {
                var text = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(app.DataDirectory, file)));
                foreach (var value in phi.Select(p => p.Value).Append("ACME HOSPITAL"))
                {
                    Assert.False(text.Contains(value, StringComparison.Ordinal), $"{file} still holds '{value}'");
                }
            }

            var ingested = before.AuditSince(app).Single(e => e.Action == "dicom.ingested").Details!;
            Assert.Contains("Birth Date", ingested);
            Assert.DoesNotContain("19570312", ingested);
        }
        finally
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Derby.Application.Study.StudyService>().SetDeidentificationAsync(AccessScope.System, DeidentificationPolicy.Reject);
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(CorpusItem item, string? token)
    {
        var payload = Corpus.Load(item.Source);
        if (item.Route == "stow")
        {
            var client = app.Anonymous();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var content = payload as HttpContent ?? CorpusGenerators.Stow((List<CorpusFile>)payload);
            var response = await client.PostAsync("/dicomweb/studies", content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var user = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(user);
        if (item.Route == "upload")
        {
            var form = payload as HttpContent ?? CorpusGenerators.Form((List<CorpusFile>)payload, "files");
            var response = await user.PostAsync($"/api/patients/{app.ZshPatientId}/images", form);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        if (item.Route.StartsWith("import/", StringComparison.Ordinal))
        {
            var response = await user.PostAsync($"/api/sites/ZSH/imports/{item.Route["import/".Length..]}", CorpusGenerators.Form((List<CorpusFile>)payload, "file"));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return (response.StatusCode, body);
            }

            var run = await WaitForEndAsync(user, response.Headers.Location!);
            Assert.True(run.GetProperty("status").GetString() == "Rejected", $"{item.Id}: the import ended {run}");
            Assert.Equal(0, run.GetProperty("writtenRows").GetInt32());
            return (response.StatusCode, run.GetRawText());
        }

        throw new InvalidOperationException($"{item.Id}: unknown route '{item.Route}'");
    }

    private static void AssertClear(CorpusItem item, string body)
    {
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        if (item.Message.Length > 0)
        {
            // JSON escapes non-ASCII and some punctuation: compare with the body as the client reads it.
            var text = body.StartsWith('{') || body.StartsWith('[') ? Unescape(body) : body;
            Assert.True(text.Contains(item.Message, StringComparison.OrdinalIgnoreCase), $"{item.Id}: '{item.Message}' not in {Short(text)}");
        }
    }

    private static void AssertNothingStored(CorpusItem item, StudySnapshot before, StudySnapshot after)
    {
        foreach (var (table, count) in after.Rows)
        {
            var allowed = table switch
            {
                "AuditEvents" => long.MaxValue,
                // The import's own run record is the refusal as the import page shows it (ADR 0003).
                "ImportRuns" when item.Route.StartsWith("import/", StringComparison.Ordinal) && item.Status == 202 => 1,
                _ => 0,
            };
            var grew = count - before.Rows.GetValueOrDefault(table);
            Assert.True(grew >= 0 && grew <= allowed, $"{item.Id}: table {table} went from {before.Rows.GetValueOrDefault(table)} to {count} rows");
        }

        var added = after.Files.Except(before.Files).ToList();
        Assert.True(added.Count == 0, $"{item.Id}: files left behind: {string.Join(", ", added)}");
    }

    private static async Task<JsonElement> WaitForEndAsync(HttpClient client, Uri location)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>(location);
            if (run.GetProperty("status").GetString() is "Succeeded" or "Rejected" or "Failed")
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, "import still running after 60 s");
            await Task.Delay(100);
        }
    }

    private async Task<string> TokenAsync()
    {
        await TokenLock.WaitAsync();
        try
        {
            if (!Tokens.TryGetValue(app, out var secret))
            {
                await using var scope = app.Services.CreateAsyncScope();
                secret = (await scope.ServiceProvider.GetRequiredService<SiteTokenService>().IssueAsync(AccessScope.System, "ZSH", "bad-input corpus PACS")).Secret;
                Tokens[app] = secret;
            }

            return secret;
        }
        finally
        {
            TokenLock.Release();
        }
    }

    private static string Unescape(string json)
    {
        try
        {
            return string.Join("\n", Strings(JsonDocument.Parse(json).RootElement));
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Prepend(p.Name)),
        _ => [],
    };

    private static string Short(string text) => text.Length > 1500 ? text[..1500] + "..." : text;
}
