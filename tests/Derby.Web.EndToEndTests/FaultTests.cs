using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// Fault tests of issue #10 on the published app as a real process: the web process (its in-process job server runs the
/// jobs) is killed by a fault point (<c>DERBY_KILL_AT</c>, Derby.Application.Common.FaultPoints) in the middle of a STOW-RS
/// upload, a CSV import job, a model training job and a scoring job, each started through the HTTP API as a client or a
/// user would. After each kill the database (opened read-only) holds no partial record of that work; the process is started
/// again without the fault point, the job resumes by itself (the upload is sent again, as a client does after a failure),
/// and at the end the database equals, in a canonical dump, that of the same work done without faults on a copy of the
/// same starting folder.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed partial class FaultTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const string UploadPatient = "ZSH-0016";
    private const int ImportRows = 250;
    private StudyFolder study = default!;
    private string token = "";
    private string csv = "";
    private readonly List<string> manifests = [];

    public async Task InitializeAsync()
    {
        _ = PublishedApp.WebDirectory;
        study = StudyFolder.CreateDemo("faults");
        await study.SeedModelInputsAsync(training: 16, validation: 10);
        token = study.IssueToken("ZSH");
        csv = Path.Combine(Path.GetDirectoryName(study.Directory)!, "patients.csv");
        await File.WriteAllLinesAsync(csv, ["pseudonym,treatment_arm,cohorts",
            .. Enumerable.Range(1, ImportRows).Select(i => $"ZSH-{6000 + i},folfox_bevacizumab,training")]);
    }

    public Task DisposeAsync()
    {
        study.Delete();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task KilledUploadImportTrainingAndScoring_LeaveNoPartialRecords_AndEndAsAnUninterruptedRun()
    {
        var clock = Stopwatch.StartNew();
        var reference = await RunAsync(study.CopyTo("reference"), faults: false);
        log.WriteLine($"uninterrupted run: {clock.Elapsed}");
        var faulted = await RunAsync(study.CopyTo("faulted"), faults: true);
        log.WriteLine($"run with faults: {clock.Elapsed}");
        foreach (var line in reference)
        {
            log.WriteLine(line);
        }

        if (manifests.Distinct().Count() > 1)
        {
            // Which lines of the two canonical manifests differ (one property per line).
            var a = Indented(manifests[0]);
            var b = Indented(manifests[1]);
            foreach (var line in a.Except(b))
            {
                log.WriteLine("uninterrupted run's manifest: " + line);
            }

            foreach (var line in b.Except(a))
            {
                log.WriteLine("manifest after the faults: " + line);
            }
        }

        Assert.Equal(reference, faulted);
    }

    /// <summary>The four pieces of work, each killed once (with <paramref name="faults"/>) and completed after a restart.</summary>
    private async Task<List<string>> RunAsync(string data, bool faults)
    {
        // 1. STOW-RS: killed after the upload's rows are written, before the transaction commits. The client sees the
        // connection fail; nothing of the study is indexed; after the restart the client sends it again and it is stored once.
        var files = study.DicomFilesOf(UploadPatient);
        await using (var web = await StartAsync(data, faults ? "dicom.commit:1" : null))
        {
            using var stow = StudyFolder.TokenClient(web.BaseAddress, token);
            if (faults)
            {
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => StudyFolder.StowAsync(stow, files));
                await web.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(0L, Scalar(data, "select count(*) from ImagingSeries s join Patients p on p.Id = s.PatientId where p.Pseudonym = $a", UploadPatient));
                Assert.Equal(Scalar(study.Directory, "select count(*) from ImagingInstances"), Scalar(data, "select count(*) from ImagingInstances"));
                Assert.Equal(Scalar(study.Directory, "select count(*) from AuditEvents where Action = 'dicom.ingested'"),
                    Scalar(data, "select count(*) from AuditEvents where Action = 'dicom.ingested'"));
            }
        }

        await using (var web = await StartAsync(data, null))
        {
            using var stow = StudyFolder.TokenClient(web.BaseAddress, token);
            var stored = await StudyFolder.StowAsync(stow, files);
            Assert.True(stored.StatusCode == HttpStatusCode.OK, await stored.Content.ReadAsStringAsync());
            Assert.Equal(files.Length, (await stored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt32());
            // A client that did not see the answer sends it again: already stored, nothing twice.
            var again = await StudyFolder.StowAsync(stow, files);
            Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
            Assert.Equal(files.Length, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alreadyStored").GetInt32());
        }

        // 2. CSV import job: killed after 200 of 250 rows are flushed inside the import's transaction.
        Guid importId;
        await using (var web = await StartAsync(data, faults ? "import.write:2" : null))
        {
            using var coordinator = await study.SignInAsync(web.BaseAddress, "zsh-coordinator");
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(csv)), "file", "patients.csv" } };
            var started = await coordinator.PostAsync("/api/sites/ZSH/imports/patients", form);
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            importId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            if (faults)
            {
                await web.WaitForExitAsync(TimeSpan.FromSeconds(90));
                Assert.Equal(0L, Scalar(data, "select count(*) from Patients where Pseudonym like 'ZSH-6%'"));
                Assert.NotEqual("Succeeded", Text(data, "select Status from ImportRuns where Id = $a", importId.ToString().ToUpperInvariant()));
            }
            else
            {
                await WaitForAsync(data, "select count(*) from ImportRuns where Status = 'Succeeded' and Id = $a", importId.ToString().ToUpperInvariant(), web);
            }
        }

        if (faults)
        {
            await using var web = await StartAsync(data, null);
            await WaitForAsync(data, "select count(*) from ImportRuns where Status = 'Succeeded' and Id = $a", importId.ToString().ToUpperInvariant(), web);
        }

        Assert.Equal((long)ImportRows, Scalar(data, "select count(*) from Patients where Pseudonym like 'ZSH-6%'"));

        // 3. Model training job: killed with the trained version's manifest about to be saved.
        string version;
        await using (var web = await StartAsync(data, faults ? "model.commit:1" : null))
        {
            using var pi = await study.SignInAsync(web.BaseAddress, "pi");
            var started = await pi.PostAsJsonAsync("/api/models", new { kind = "derby", trees = 60, seed = 5 });
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            version = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString()!;
            if (faults)
            {
                await web.WaitForExitAsync(TimeSpan.FromSeconds(120));
                Assert.NotEqual("Trained", Text(data, "select Status from ModelVersions where Version = $a", version));
                Assert.Equal(0L, Scalar(data, "select count(*) from ModelVersions where ManifestJson is not null or ArtefactSha256 is not null"));
            }
            else
            {
                await WaitForAsync(data, "select count(*) from ModelVersions where Status = 'Trained' and Version = $a", version, web);
            }
        }

        if (faults)
        {
            await using var web = await StartAsync(data, null);
            await WaitForAsync(data, "select count(*) from ModelVersions where Status = 'Trained' and Version = $a", version, web);
        }

        // 4. Scoring job: killed as the third patient's prediction is about to be saved (each patient is its own transaction).
        await using (var web = await StartAsync(data, faults ? "prediction.commit:3" : null))
        {
            using var pi = await study.SignInAsync(web.BaseAddress, "pi");
            var started = await pi.PostAsJsonAsync($"/api/models/{version}/score", new { cohort = "external-validation" });
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            if (faults)
            {
                await web.WaitForExitAsync(TimeSpan.FromSeconds(90));
                Assert.Equal(2L, Scalar(data, "select count(*) from Predictions"));
                Assert.Equal(0L, Scalar(data, "select count(*) from AuditEvents where Action = 'model.scored'"));
            }
            else
            {
                await WaitForAsync(data, "select count(*) from AuditEvents where Action = 'model.scored'", null, web);
            }
        }

        if (faults)
        {
            await using var web = await StartAsync(data, null);
            await WaitForAsync(data, "select count(*) from AuditEvents where Action = 'model.scored'", null, web);
        }

        using (var db = Open(data))
        {
            manifests.Add(CanonicalManifest(db, Rows(db, "select ManifestJson from ModelVersions").Single(), version));
        }

        return Dump(data, version);
    }

    private static string[] Indented(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Split('\n');

    private async Task<DerbyProcess> StartAsync(string data, string? killAt)
    {
        var web = DerbyProcess.Start("web" + (killAt is null ? "" : $" (kill at {killAt})"), data, [],
            new Dictionary<string, string> { [Derby.Application.Common.FaultPoints.EnvironmentVariable] = killAt ?? "" });
        await web.WaitReadyAsync(TimeSpan.FromMinutes(2));
        return web;
    }

    /// <summary>Waits until the query's count is at least one (the work is done), failing with the app's output after 3 minutes.</summary>
    private static async Task WaitForAsync(string data, string sql, string? argument, DerbyProcess web)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (Scalar(data, sql, argument) < 1)
        {
            if (DateTime.UtcNow > deadline || web.HasExited)
            {
                throw new TimeoutException($"Not done: {sql} ({argument}):\n{web.Output}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// The state the work leaves, in canonical lines: patients, stored series and instances (and duplicates), import runs,
    /// model versions (manifest hash with the version's own name and times left out), predictions per patient.
    /// </summary>
    private static List<string> Dump(string data, string version)
    {
        using var db = Open(data);
        var lines = new List<string>
        {
            "patients " + Digest(Rows(db, "select Pseudonym from Patients")),
            "series " + Digest(Rows(db, "select p.Pseudonym || ' ' || s.Modality || ' ' || s.SeriesInstanceUid || ' ' || s.InstanceCount from ImagingSeries s join Patients p on p.Id = s.PatientId")),
            "instances " + Digest(Rows(db, "select s.SeriesInstanceUid || ' ' || i.SopInstanceUid || ' ' || i.Sha256 || ' ' || i.SliceIndex from ImagingInstances i join ImagingSeries s on s.Id = i.SeriesId")),
            "duplicate instances " + Rows(db, "select SopInstanceUid from ImagingInstances group by SopInstanceUid having count(*) > 1").Count,
            "duplicate patients " + Rows(db, "select Pseudonym from Patients group by SiteId, Pseudonym having count(*) > 1").Count,
            "cohort memberships " + Digest(Rows(db, "select p.Pseudonym || ' ' || c.Code from CohortMemberships m join Patients p on p.Id = m.PatientId join Cohorts c on c.Id = m.CohortId")),
        };
        lines.AddRange(Rows(db, "select 'import ' || Kind || ' ' || FileSha256 || ' ' || Status || ' ' || WrittenRows from ImportRuns"));
        lines.AddRange(Rows(db, "select Kind || ' ' || Status || ' active=' || IsActive from ModelVersions").Select(m => "model " + m));
        lines.AddRange(Rows(db, "select coalesce(ManifestJson, '') from ModelVersions").Select(m => "manifest " + Digest([CanonicalManifest(db, m, version)])));
        lines.AddRange(Rows(db, "select 'prediction ' || p.Pseudonym || ' ' || printf('%.12f', r.Trs) || ' ' || r.PredictedResponder || ' stale=' || r.IsStale"
            + " from Predictions r join Patients p on p.Id = r.PatientId"));
        lines.Add("predictions per patient and version at most 1 live: " + Rows(db,
            "select PatientId from Predictions where IsStale = 0 group by PatientId, ModelVersionId having count(*) > 1").Count);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>
    /// The manifest without what differs between two trainings of the same inputs: the version's name and time, the
    /// SHA-256 of the stored forests (ML.NET's model zip records when it was written; the trees and every prediction are
    /// the same), and patients' ids (an import gives new patients new ids: their pseudonyms are compared instead).
    /// </summary>
    private static string CanonicalManifest(SqliteConnection db, string json, string version)
    {
        var pseudonyms = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using (var command = db.CreateCommand())
        {
            command.CommandText = "select Id, Pseudonym from Patients";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pseudonyms[reader.GetString(0)] = reader.GetString(1);
            }
        }

        json = GuidText().Replace(json, m => pseudonyms.TryGetValue(m.Value, out var p) ? "patient " + p : m.Value);
        if (json.Length == 0)
        {
            return json;
        }

        var manifest = JsonNode.Parse(json)!.AsObject();
        var artefacts = manifest.Where(p => p.Key.Equals("forest", StringComparison.OrdinalIgnoreCase)).Select(p => p.Value)
            .Concat(manifest.Where(p => p.Key.Equals("signatures", StringComparison.OrdinalIgnoreCase)).SelectMany(p => p.Value!.AsArray()))
            .OfType<JsonObject>().ToList();
        foreach (var artefact in artefacts)
        {
            foreach (var key in artefact.Select(p => p.Key).Where(k => k.EndsWith("sha256", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                artefact.Remove(key);
            }
        }

        return IsoTime().Replace(manifest.ToJsonString().Replace(version, "VERSION", StringComparison.Ordinal), "TIME");
    }

    private static string Digest(List<string> rows) =>
        $"{rows.Count} {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows.Order(StringComparer.Ordinal)))))[..16]}";

    private static SqliteConnection Open(string data)
    {
        var db = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        return db;
    }

    private static List<string> Rows(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? "");
        }

        return rows;
    }

    private static object? Query(string data, string sql, string? argument)
    {
        using var db = Open(data);
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$a", (object?)argument ?? DBNull.Value);
        return command.ExecuteScalar();
    }

    private static long Scalar(string data, string sql, string? argument = null) => Convert.ToInt64(Query(data, sql, argument), CultureInfo.InvariantCulture);

    private static string? Text(string data, string sql, string argument) => Query(data, sql, argument) as string;

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidText();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")]
    private static partial Regex IsoTime();
}
