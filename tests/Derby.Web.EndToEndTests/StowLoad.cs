using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;
using Microsoft.Data.Sqlite;

namespace Derby.Web.EndToEndTests;

/// <summary>What a load run is asked to do.</summary>
/// <param name="Duration">How long new requests are started (those in flight at the end are waited for and counted).</param>
/// <param name="UploadClients">Concurrent STOW-RS clients, each sending one patient's PET/CT study per request, one request after another.</param>
/// <param name="DashboardUsers">Concurrent signed-in principal investigators loading the dashboard page, its JSON and a CSV table in turn.</param>
/// <param name="Patients">Patients registered beforehand for the uploads (each upload takes a new one; the run stops sending when none is left).</param>
public sealed record LoadSettings(TimeSpan Duration, int UploadClients = 50, int DashboardUsers = 20, int Patients = 2000);

/// <summary>One kind of request's outcome: counts and latencies in milliseconds.</summary>
public sealed record LoadKind(string Name, int Ok, int Failed, IReadOnlyList<double> LatenciesMs)
{
    public double Percentile(double p)
    {
        if (LatenciesMs.Count == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>A load run's result. <see cref="Lost"/>: instances the server answered as stored that are not in the database and the store afterwards.</summary>
public sealed record LoadReport(LoadSettings Settings, TimeSpan Elapsed, int UploadsAccepted, int UploadsFailed, long InstancesStored, long BytesStored,
    int Lost, IReadOnlyList<LoadKind> Kinds, IReadOnlyDictionary<string, int> Failures)
{
    public string Markdown()
    {
        var s = Elapsed.TotalSeconds;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"- {Settings.UploadClients} STOW-RS clients and {Settings.DashboardUsers} dashboard users for {Settings.Duration.TotalSeconds:0} s (all requests ended after {s:0.0} s)");
        text.AppendLine(CultureInfo.InvariantCulture, $"- uploads accepted {UploadsAccepted}, failed {UploadsFailed}, lost instances {Lost}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- instances stored {InstancesStored} ({InstancesStored / s:0.0} instances/s), {BytesStored / 1e6:0.0} MB ({BytesStored / 1e6 / s:0.00} MB/s)");
        var dashboard = Kinds.Where(k => k.Name.StartsWith("dashboard", StringComparison.Ordinal)).Sum(k => k.Ok + k.Failed);
        text.AppendLine(CultureInfo.InvariantCulture, $"- dashboard requests {dashboard} ({dashboard / s:0.0} requests/s)");
        text.AppendLine();
        text.AppendLine("| Request | OK | Failed | p50 ms | p95 ms | p99 ms | max ms |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var k in Kinds)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {k.Name} | {k.Ok} | {k.Failed} | {k.Percentile(50):0} | {k.Percentile(95):0} | {k.Percentile(99):0} | {(k.LatenciesMs.Count > 0 ? k.LatenciesMs.Max() : double.NaN):0} |");
        }

        foreach (var (reason, count) in Failures)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- failure x{count}: {reason}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Load on loopback against the published app (issue #10): a demo data folder (./derby demo), patients registered with
/// ./derby import, one site token; then <see cref="LoadSettings.UploadClients"/> STOW-RS clients each send whole PET/CT
/// studies of distinct patients (the synthetic generator's study of a demo patient, its Patient ID and every study, series
/// and SOP instance UID replaced by new ones of the same length, so the files stay valid and pass the de-identification
/// gate), while <see cref="LoadSettings.DashboardUsers"/> signed-in users load GET /dashboard (the Blazor page's
/// prerendered HTML), GET /api/dashboard (the dashboard's JSON, what the page computes) and GET /api/dashboard/performance.csv.
/// Afterwards every instance the server answered as stored is looked up in the database and its file in the store.
/// </summary>
public static class StowLoad
{
    private const string Site = "HWMU";
    private const string Template = "HWMU-0001";

    public static async Task<LoadReport> RunAsync(LoadSettings settings, Action<string> log)
    {
        var study = StudyFolder.CreateDemo("load");
        try
        {
            var data = study.Directory;
            var csv = Path.Combine(data, "load-patients.csv");
            var pseudonyms = Enumerable.Range(0, settings.Patients).Select(i => $"{Site}-{2000 + i}").ToArray();
            await File.WriteAllLinesAsync(csv, ["pseudonym,treatment_arm,cohorts", .. pseudonyms.Select(p => $"{p},folfox_bevacizumab,external-validation")]);
            StudyFolder.Cli(data, "import", "patients", "--site", Site, "--file", csv);
            var token = study.IssueToken(Site);
            var template = Templates(study.DicomFilesOf(Template));
            log($"{settings.Patients} patients registered; template study of {template.Files.Count} files");

            await using var web = DerbyProcess.Start("web", data, []);
            await web.WaitReadyAsync(TimeSpan.FromMinutes(2));
            var dashboardClients = new List<HttpClient>();
            for (var i = 0; i < settings.DashboardUsers; i++)
            {
                dashboardClients.Add(await study.SignInAsync(web.BaseAddress, "pi"));
            }

            var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
            var failed = new ConcurrentDictionary<string, int>();
            var failures = new ConcurrentDictionary<string, int>();
            var accepted = new ConcurrentBag<(string Pseudonym, string[] SopUids, long Bytes)>();
            var next = -1;
            var clock = Stopwatch.StartNew();
            var until = settings.Duration;

            void Record(string kind, double ms, string? failure)
            {
                latencies.GetOrAdd(kind, _ => []).Add(ms);
                if (failure is not null)
                {
                    failed.AddOrUpdate(kind, 1, (_, n) => n + 1);
                    failures.AddOrUpdate($"{kind}: {failure}", 1, (_, n) => n + 1);
                }
            }

            async Task UploadClient()
            {
                using var client = StudyFolder.TokenClient(web.BaseAddress, token);
                client.Timeout = TimeSpan.FromMinutes(5);
                while (clock.Elapsed < until)
                {
                    var n = Interlocked.Increment(ref next);
                    if (n >= pseudonyms.Length)
                    {
                        return;
                    }

                    var (files, sops) = template.For(pseudonyms[n], n);
                    using var content = Multipart(files);
                    var started = clock.Elapsed;
                    string? failure = null;
                    try
                    {
                        using var response = await client.PostAsync("/dicomweb/studies", content);
                        var body = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            failure = $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}";
                        }
                        else if (JsonDocument.Parse(body).RootElement.GetProperty("stored").GetInt32() != files.Count)
                        {
                            failure = "200 but not every file stored: " + body[..Math.Min(body.Length, 300)];
                        }
                        else
                        {
                            accepted.Add((pseudonyms[n], sops, files.Sum(f => (long)f.Length)));
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        failure = ex.GetType().Name + ": " + ex.Message;
                    }

                    Record("STOW-RS study (" + files.Count + " instances)", (clock.Elapsed - started).TotalMilliseconds, failure);
                }
            }

            async Task DashboardUser(HttpClient client)
            {
                var urls = new[] { ("dashboard page", "/dashboard"), ("dashboard JSON", "/api/dashboard"), ("dashboard CSV", "/api/dashboard/performance.csv") };
                var i = 0;
                while (clock.Elapsed < until)
                {
                    var (kind, url) = urls[i++ % urls.Length];
                    var started = clock.Elapsed;
                    string? failure = null;
                    try
                    {
                        using var response = await client.GetAsync(url);
                        await response.Content.ReadAsByteArrayAsync();
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            failure = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        failure = ex.GetType().Name + ": " + ex.Message;
                    }

                    Record("dashboard: " + kind, (clock.Elapsed - started).TotalMilliseconds, failure);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, settings.UploadClients).Select(_ => Task.Run(UploadClient))
                .Concat(dashboardClients.Select(c => Task.Run(() => DashboardUser(c)))));
            var elapsed = clock.Elapsed;
            foreach (var c in dashboardClients)
            {
                c.Dispose();
            }

            var lost = Lost(data, accepted.ToList(), log);
            if (!failed.IsEmpty)
            {
                // The server's side of the failures: its error log lines (exception type and message).
                foreach (var line in web.Output.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal))
                    .GroupBy(l => l.Length > 300 ? l[..300] : l).OrderByDescending(g => g.Count()).Take(15))
                {
                    log($"server x{line.Count()}: {line.Key}");
                }
            }

            var kinds = latencies.OrderBy(k => k.Key, StringComparer.Ordinal)
                .Select(k => new LoadKind(k.Key, k.Value.Count - failed.GetValueOrDefault(k.Key), failed.GetValueOrDefault(k.Key), k.Value.ToList())).ToList();
            var uploadsFailed = failed.Where(f => f.Key.StartsWith("STOW", StringComparison.Ordinal)).Sum(f => f.Value);
            return new LoadReport(settings, elapsed, accepted.Count, uploadsFailed, accepted.Sum(a => a.SopUids.Length), accepted.Sum(a => a.Bytes), lost, kinds,
                failures.ToDictionary(f => f.Key, f => f.Value));
        }
        finally
        {
            study.Delete();
        }
    }

    /// <summary>Counts the instances answered as stored that the database or the store (data/dicom/ab/cd/sha.dcm) lacks.</summary>
    private static int Lost(string data, List<(string Pseudonym, string[] SopUids, long Bytes)> accepted, Action<string> log)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "select i.SopInstanceUid, i.Sha256, p.Pseudonym from ImagingInstances i join ImagingSeries s on s.Id = i.SeriesId join Patients p on p.Id = s.PatientId";
        var stored = new Dictionary<string, (string Sha, string Pseudonym)>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                stored[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2));
            }
        }

        var lost = 0;
        foreach (var (pseudonym, sops, _) in accepted)
        {
            foreach (var sop in sops)
            {
                if (!stored.TryGetValue(sop, out var row) || row.Pseudonym != pseudonym
                    || !File.Exists(Path.Combine(data, "dicom", row.Sha[..2], row.Sha[2..4], row.Sha + ".dcm")))
                {
                    if (lost++ < 10)
                    {
                        log($"lost: {pseudonym} {sop}");
                    }
                }
            }
        }

        return lost;
    }

    private static MultipartContent Multipart(IReadOnlyList<byte[]> files)
    {
        var content = new MultipartContent("related", "derby-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new System.Net.Http.Headers.NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var file in files)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }

        return content;
    }

    private static TemplateStudy Templates(string[] paths)
    {
        var reader = new GdcmDicomFileReader();
        var files = paths.Select(p =>
        {
            var d = reader.Read(p).Dataset;
            return (Bytes: File.ReadAllBytes(p), Patient: d.GetString(DicomTags.PatientId)!, Study: d.GetString(DicomTags.StudyInstanceUid)!,
                Series: d.GetString(DicomTags.SeriesInstanceUid)!, Sop: d.GetString(DicomTags.SopInstanceUid)!);
        }).ToList();
        return new TemplateStudy(files);
    }

    /// <summary>A study whose files are rewritten for another patient: same-length replacements of the Patient ID and the UIDs.</summary>
    private sealed class TemplateStudy(List<(byte[] Bytes, string Patient, string Study, string Series, string Sop)> files)
    {
        public IReadOnlyList<(byte[] Bytes, string Patient, string Study, string Series, string Sop)> Files => files;

        public (List<byte[]> Files, string[] SopUids) For(string pseudonym, int n)
        {
            var series = files.Select(f => f.Series).Distinct().ToList();
            var result = new List<byte[]>();
            var sops = new List<string>();
            for (var i = 0; i < files.Count; i++)
            {
                var f = files[i];
                var sop = Uid(f.Sop, n, i);
                var bytes = (byte[])f.Bytes.Clone();
                Replace(bytes, f.Sop, sop);
                Replace(bytes, f.Series, Uid(f.Series, n, 900 + series.IndexOf(f.Series)));
                Replace(bytes, f.Study, Uid(f.Study, n, 999));
                Replace(bytes, f.Patient, pseudonym);
                result.Add(bytes);
                sops.Add(sop);
            }

            return (result, sops.ToArray());
        }

        /// <summary>The UID with its last 10 digits replaced by 1, the upload number (6 digits) and the item (3 digits).</summary>
        private static string Uid(string uid, int upload, int item) =>
            string.Create(CultureInfo.InvariantCulture, $"{uid[..^10]}1{upload:000000}{item:000}");

        private static void Replace(byte[] bytes, string from, string to)
        {
            if (from.Length != to.Length)
            {
                throw new InvalidOperationException($"'{to}' is not as long as '{from}'");
            }

            var pattern = Encoding.ASCII.GetBytes(from);
            var with = Encoding.ASCII.GetBytes(to);
            var span = bytes.AsSpan();
            var at = 0;
            while (true)
            {
                var found = span[at..].IndexOf(pattern);
                if (found < 0)
                {
                    return;
                }

                with.CopyTo(span[(at + found)..]);
                at += found + pattern.Length;
            }
        }
    }
}
