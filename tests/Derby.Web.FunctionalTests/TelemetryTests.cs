using System.Diagnostics;
using Derby.Application.Access;
using Derby.Application.Imaging;
using Derby.Application.Patients;
using Derby.Application.Study;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Infrastructure.Jobs;
using Derby.Synthetic;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The app's OpenTelemetry set-up with the in-memory exporters DerbyWebFactory adds: a real job run by the in-process server gives its span
/// and the job counters, an upload gives the upload counters, and the health endpoints answer anonymously.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class TelemetryTests(DerbyWebFactory app)
{
    [Fact]
    public async Task RunningAJob_GivesJobSpanAndCounters()
    {
        var jobs = app.Services.GetRequiredService<JobDiagnostics>();
        var (probeId, jobId) = jobs.EnqueueProbes(1, "default", 0).Single();
        var file = Path.Combine(app.DataDirectory, ProbeJob.Folder, probeId);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(file) || !app.Activities.Any(a => Equals(a.GetTagItem("job.id"), jobId)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the probe job did not run within 60 s");
            await Task.Delay(200);
        }

        var span = app.Activities.First(a => Equals(a.GetTagItem("job.id"), jobId));
        Assert.Equal("job ProbeJob.RunAsync", span.DisplayName);
        Assert.Equal(ActivityKind.Consumer, span.Kind);
        Assert.Equal("default", span.GetTagItem("job.queue"));
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);

        var metrics = app.CollectMetrics();
        Assert.True(Sum(metrics, "derby.jobs.started", "job.type", "ProbeJob.RunAsync") >= 1);
        Assert.True(Sum(metrics, "derby.jobs.succeeded", "job.type", "ProbeJob.RunAsync") >= 1);
        Assert.Contains(metrics, m => m.Name == "derby.jobs.duration");
        Assert.Contains(metrics, m => m.Name == "derby.jobs.queue.length" && HasPoint(m, "job.queue", "gpu"));
    }

    [Fact]
    public async Task StoringAnUpload_CountsInstancesAndBytes()
    {
        var before = app.CollectMetrics();
        var instancesBefore = Sum(before, "derby.uploads.instances");
        var bytesBefore = Sum(before, "derby.uploads.bytes");

        var study = Path.Combine(app.DataDirectory, "synthetic-telemetry");
        var result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(study, 41, StudyScale.Small));
        // The last ZSHX patient: PetCtViewerTests registers the first; no other test of the collection uses ZSHX pseudonyms.
        // Its cohort is one whose count no page test of the collection checks.
        var truth = result.Truth.Patients.Where(p => p.Site == "ZSHX" && p.Imaging is not null).OrderBy(p => p.Pseudonym, StringComparer.Ordinal).Last();
        await using var scope = app.Services.CreateAsyncScope();
        var patient = await scope.ServiceProvider.GetRequiredService<PatientService>().RegisterAsync(AccessScope.System, truth.Site,
            new PatientInput { Pseudonym = truth.Pseudonym, TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["negative-validation"] });
        var files = Directory.GetFiles(Path.Combine(study, "sites", truth.Site, "dicom", truth.Pseudonym), "*.dcm", SearchOption.AllDirectories);
        var ingested = await scope.ServiceProvider.GetRequiredService<DicomIngestService>().IngestAsync(AccessScope.System, patient.Id, files);
        Assert.True(ingested.Accepted);

        var after = app.CollectMetrics();
        Assert.True(Sum(after, "derby.uploads.instances") - instancesBefore >= ingested.Stored);
        Assert.True(Sum(after, "derby.uploads.bytes") - bytesBefore >= files.Sum(f => new FileInfo(f).Length) / 2);
        Assert.True(Sum(after, "derby.uploads", "upload.outcome", "accepted") >= 1);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpoints_AnswerAnonymously_WithoutPaths(string path)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("\"status\":\"Healthy\"", body);
        Assert.DoesNotContain(app.DataDirectory, body);
        if (path.EndsWith("ready", StringComparison.Ordinal))
        {
            Assert.Contains("\"database\"", body);
            Assert.Contains("\"store\"", body);
            Assert.Contains("\"jobs\"", body);
        }
    }

    private static IEnumerable<KeyValuePair<string, object?>> Tags(MetricPoint point)
    {
        foreach (var tag in point.Tags)
        {
            yield return tag;
        }
    }

    private static bool HasPoint(Metric metric, string tag, string value)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            if (Tags(point).Contains(new KeyValuePair<string, object?>(tag, value)))
            {
                return true;
            }
        }

        return false;
    }

    private static long Sum(IEnumerable<Metric> metrics, string name, string? tag = null, string? value = null)
    {
        long sum = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                if (tag is null || Tags(point).Contains(new KeyValuePair<string, object?>(tag, value)))
                {
                    sum += point.GetSumLong();
                }
            }
        }

        return sum;
    }
}
