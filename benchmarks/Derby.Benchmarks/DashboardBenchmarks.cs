using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Bunit;
using Derby.Application;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Dashboards;
using Derby.Application.Models;
using Derby.Application.Study;
using Derby.Domain;
using Derby.Infrastructure;
using Derby.Infrastructure.Data;
using Derby.Web.Components.Pages.Dashboard;
using Derby.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MudBlazor.Services;

namespace Derby.Benchmarks;

/// <summary>
/// The PI dashboard on a 10,000-patient study (SQLite, the app's own services): 60 training patients with lesions, pairs
/// and F_img on which a DERBY and a DERBY+ version are trained for real (ModelService, so the versions pass
/// ModelService.Verify), then 9,940 patients over the five cohorts and three sites with outcomes, clinical and IHC records
/// and a current prediction of both versions, inserted in bulk (what scoring would have written: TRS, threshold, the three
/// signatures). Measured: the cold computation (a new cache: what the first viewer after a data change waits for, the
/// data-version queries included), the warm fetch (a cache hit, the data-version queries included: every other viewer),
/// and the page's first server-side render (bUnit: the page's own fetch from the warm cache, the Plotly traces, the
/// whole render tree and its markup).
/// The database is built once into DERBY_DASHBOARD_BENCH_DIR (default: a folder in the temporary directory, reused by
/// the later benchmark processes of the run and by later runs; delete it to rebuild).
/// </summary>
[MemoryDiagnoser]
public class DashboardBenchmarks
{
    public const int Patients = 10_000;
    private const int TrainingPatients = 60;
    private const string Ready = "ready-v1";
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

    private IHost host = null!;
    private AsyncServiceScope scope;
    private DashboardService warm = null!;

    [Params(false, true)]
    public bool BySite { get; set; }

    private DashboardFilter Filter => new(BySite: BySite);

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        scope.Dispose();
        host.Dispose();
    }

    [Benchmark(Description = "cold: statistics computed (new cache), data version read")]
    public StudyDashboard Cold()
    {
        var services = scope.ServiceProvider;
        var cold = new DashboardService(services.GetRequiredService<IDerbyDbContextFactory>(), services.GetRequiredService<ModelService>(), new DashboardCache(),
            services.GetRequiredService<IClock>());
        return cold.GetAsync(Pi, Filter).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "warm: cache hit, data version read")]
    public StudyDashboard Warm() => warm.GetAsync(Pi, Filter).GetAwaiter().GetResult();

    [Benchmark(Description = "page render (bUnit): warm fetch + traces + markup")]
    public int Render()
    {
        // MudBlazor's services are only IAsyncDisposable: the context is disposed asynchronously (as a circuit's would be).
        var ctx = new BunitContext();
        try
        {
            return RenderPage(ctx);
        }
        finally
        {
            ctx.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private int RenderPage(BunitContext ctx)
    {
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.AddAuthorization().SetAuthorized("pi").SetRoles(DerbyRoles.PrincipalInvestigator);
        var scopes = scope.ServiceProvider.GetRequiredService<AccessScopeProvider>();
        ctx.Services.AddScoped(sp => new CurrentScope(sp.GetRequiredService<AuthenticationStateProvider>(), scopes));
        ctx.Services.AddSingleton(warm);
        if (BySite)
        {
            ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("/dashboard?bySite=true");
        }

        var page = ctx.Render<DashboardPage>();
        page.WaitForState(() => page.FindAll("[data-testid='dashboard']").Count == 1, TimeSpan.FromSeconds(60));
        return page.Markup.Length;
    }

    /// <summary>
    /// <c>dashboard-cpu [calls]</c>: the same three operations timed by the process's CPU time as well as wall-clock time
    /// (after two untimed calls), for a machine too loaded for wall-clock times: a preempted thread accrues no CPU time.
    /// </summary>
    public static void RunCpuTime(int calls)
    {
        foreach (var bySite in new[] { false, true })
        {
            var bench = new DashboardBenchmarks { BySite = bySite };
            bench.Setup();
            try
            {
                foreach (var (name, op) in new (string, Func<object>)[] { ("cold", bench.Cold), ("warm", bench.Warm), ("render", () => bench.Render()) })
                {
                    op();
                    op();
                    using var process = System.Diagnostics.Process.GetCurrentProcess();
                    var cpu = process.TotalProcessorTime;
                    var wall = System.Diagnostics.Stopwatch.StartNew();
                    for (var i = 0; i < calls; i++)
                    {
                        op();
                    }

                    process.Refresh();
                    Console.WriteLine(System.FormattableString.Invariant(
                        $"bySite={bySite} {name}: CPU {(process.TotalProcessorTime - cpu).TotalMilliseconds / calls:F1} ms, wall {wall.Elapsed.TotalMilliseconds / calls:F1} ms per call ({calls} calls)"));
                }
            }
            finally
            {
                bench.Cleanup();
            }
        }
    }

    private async Task SetupAsync()
    {
        var data = Environment.GetEnvironmentVariable("DERBY_DASHBOARD_BENCH_DIR") ?? Path.Combine(Path.GetTempPath(), "derby-dashboard-bench");
        var fresh = !File.Exists(Path.Combine(data, Ready));
        if (fresh && Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        Directory.CreateDirectory(data);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Derby:DataDirectory"] = data, ["Derby:Jobs:InProcessServer"] = "false" });
        // Only warnings: EF's per-command log lines on the console would be timed with the queries.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddApplicationServices().AddInfrastructureServices();
        builder.Services.AddSingleton<IBackgroundJobs, NoJobs>();
        host = builder.Build();
        scope = host.Services.CreateAsyncScope();
        if (fresh)
        {
            await BuildStudyAsync(scope.ServiceProvider);
            await File.WriteAllTextAsync(Path.Combine(data, Ready), DateTime.UtcNow.ToString("O"));
        }

        warm = scope.ServiceProvider.GetRequiredService<DashboardService>();
        var dashboard = await warm.GetAsync(Pi, Filter);
        Console.WriteLine($"// dashboard: model {dashboard.ModelVersion}, {dashboard.Sections.Count} sections, evaluated "
            + string.Join(", ", dashboard.Sections.Select(s => $"{s.Cohort}/{s.Site ?? "all"} {s.Evaluated}")));
    }

    private static async Task BuildStudyAsync(IServiceProvider services)
    {
        await services.GetRequiredService<DatabaseInitializer>().MigrateAsync();
        await services.GetRequiredService<DemoStudy>().EnsureAsync();
        var factory = services.GetRequiredService<IDbContextFactory<DerbyDbContext>>();
        await using var ctx = await factory.CreateDbContextAsync();
        var cohorts = await ctx.Cohorts.ToDictionaryAsync(c => c.Code);
        var sites = await ctx.Sites.OrderBy(s => s.Code).ToListAsync();
        var random = new Random(20261127);

        // The training patients: lesions, pairs and F_img (a mixture's responsibilities) that carry the response signal.
        var network = new NetworkModel
        {
            Id = Guid.NewGuid(), Version = "net-bench", CohortId = cohorts["training"].Id, Status = NetworkModelStatus.Trained, SettingsJson = "{}", RequestedBy = "bench",
            RequestedUtc = DateTime.UtcNow,
        };
        var mixture = new MixtureModel
        {
            Id = Guid.NewGuid(), NetworkModelId = network.Id, K = 3, CovarianceType = "Diagonal", BicJson = "[]", ParametersSha256 = new string('a', 64), TrainingPairs = 1,
            CreatedUtc = DateTime.UtcNow,
        };
        ctx.NetworkModels.Add(network);
        ctx.MixtureModels.Add(mixture);
        for (var i = 0; i < TrainingPatients; i++)
        {
            var z = Normal(random);
            var patient = AddPatient(ctx, random, sites[i % sites.Count], $"T{i:00000}", z, histology: i < 45, [cohorts["training"], .. i < 45 ? [cohorts["histology"]] : Array.Empty<Cohort>()]);
            var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = $"1.2.{i}", ReceivedUtc = DateTime.UtcNow };
            var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = $"1.3.{i}", ReceivedUtc = DateTime.UtcNow };
            ctx.ImagingSeries.AddRange(pet, ct);
            var lesion = new Lesion
            {
                Id = Guid.NewGuid(), PatientId = patient.Id, PetSeriesId = pet.Id, SettingsJson = "{}", InputsSha256 = new string('0', 64), Status = LesionStatus.Accepted,
                RequestedBy = "bench", RequestedUtc = DateTime.UtcNow,
            };
            ctx.Lesions.Add(lesion);
            var count = random.Next(3, 6);
            var set = new PairSet
            {
                Id = Guid.NewGuid(), LesionId = lesion.Id, CtSeriesId = ct.Id, SettingsJson = "{}", PairCount = count, Sha256 = patient.Id.ToString("N") + patient.Id.ToString("N"),
                CreatedUtc = DateTime.UtcNow,
            };
            ctx.PairSets.Add(set);
            await ctx.SaveChangesAsync();
            for (var k = 0; k < count; k++)
            {
                var pair = new ImagePair { PairSetId = set.Id, Index = k, PetSlice = 10 + k, CtSlices = "1,2,3", RoiArea = random.Next(5, 60) };
                ctx.ImagePairs.Add(pair);
                await ctx.SaveChangesAsync();
                var logits = new[] { (1.5 * z) + (0.7 * Normal(random)), (-1.5 * z) + (0.7 * Normal(random)), 0.7 * Normal(random) };
                var exp = logits.Select(Math.Exp).ToArray();
                ctx.PairImageFeatures.Add(new PairImageFeature { MixtureModelId = mixture.Id, ImagePairId = pair.Id, ResponsibilitiesJson = JsonSerializer.Serialize(exp.Select(e => e / exp.Sum())) });
            }
        }

        await ctx.SaveChangesAsync();

        // DERBY on the training cohort, DERBY+ on the histology cohort: real training, frozen and verified versions.
        var models = services.GetRequiredService<ModelService>();
        var versions = new List<ModelVersion>();
        foreach (var kind in new[] { ModelKinds.Derby, ModelKinds.DerbyPlus })
        {
            var requested = await models.RequestTrainingAsync(Pi, new ModelTrainingRequest(Kind: kind, Trees: 60, Seed: 3));
            await models.RunTrainingAsync(requested.Id);
            var trained = await ctx.ModelVersions.AsNoTracking().SingleAsync(m => m.Version == requested.Version);
            if (trained.Status != ModelVersionStatus.Trained)
            {
                throw new InvalidOperationException($"{trained.Version}: {trained.Status} {trained.Error}");
            }

            versions.Add(trained);
        }

        // The rest of the 10,000 over the five cohorts in the paper's proportions (training 103, internal 65, external
        // 102, negative 37; histology: half of training and internal), three sites, with both versions' predictions.
        ctx.ChangeTracker.AutoDetectChangesEnabled = false;
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        for (var i = 0; i < Patients - TrainingPatients; i++)
        {
            var u = random.NextDouble() * 307;
            var cohort = u < 103 ? "training" : u < 168 ? "internal-validation" : u < 270 ? "external-validation" : "negative-validation";
            var histology = cohort is "training" or "internal-validation" && random.NextDouble() < 0.49;
            var z = Normal(random);
            var patient = AddPatient(ctx, random, sites[i % sites.Count], $"B{i:00000}", cohort == "negative-validation" ? 0 : z, histology,
                [cohorts[cohort], .. histology ? [cohorts["histology"]] : Array.Empty<Cohort>()]);
            foreach (var version in versions)
            {
                var trs = 1 / (1 + Math.Exp(-((1.2 * z) + (0.8 * Normal(random)))));
                var signatures = new List<SignatureScore>
                {
                    new("clinical", 1 / (1 + Math.Exp(-((0.6 * z) + Normal(random)))), null),
                    new("imaging", 1 / (1 + Math.Exp(-((0.9 * z) + Normal(random)))), null),
                    version.Kind == ModelKinds.DerbyPlus ? new("histological", 1 / (1 + Math.Exp(-((0.7 * z) + Normal(random)))), null)
                        : new("histological", null, "DERBY uses no IHC"),
                };
                ctx.Predictions.Add(new Prediction
                {
                    Id = Guid.NewGuid(), PatientId = patient.Id, ModelVersionId = version.Id, Trs = trs, Threshold = 0.5, PredictedResponder = trs >= 0.5, PairCount = 4,
                    InputsSha256 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), SignaturesJson = JsonSerializer.Serialize(signatures, web), RequestedBy = "bench",
                    CreatedUtc = DateTime.UtcNow,
                });
            }

            if (i % 2000 == 1999)
            {
                await ctx.SaveChangesAsync();
                ctx.ChangeTracker.Clear();
            }
        }

        await ctx.SaveChangesAsync();
    }

    private static Patient AddPatient(DerbyDbContext ctx, Random random, Site site, string pseudonym, double z, bool histology, IEnumerable<Cohort> cohorts)
    {
        var responder = random.NextDouble() < 1 / (1 + Math.Exp(-2.5 * z));
        var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = $"{site.Code}-{pseudonym}", TreatmentArm = cohorts.Any(c => c.Code == "negative-validation") ? TreatmentArm.FolfoxAlone : TreatmentArm.FolfoxBevacizumab, CreatedUtc = DateTime.UtcNow };
        ctx.Patients.Add(patient);
        foreach (var cohort in cohorts)
        {
            ctx.CohortMemberships.Add(new CohortMembership { CohortId = cohort.Id, PatientId = patient.Id });
        }

        var pfs = -Math.Log(1 - random.NextDouble()) * (responder ? 14 : 7);
        var os = pfs + (-Math.Log(1 - random.NextDouble()) * 12);
        ctx.Outcomes.Add(new Outcome
        {
            PatientId = patient.Id, BestResponse = responder ? (random.Next(5) == 0 ? RecistResponse.CompleteResponse : RecistResponse.PartialResponse)
                : random.Next(2) == 0 ? RecistResponse.StableDisease : RecistResponse.ProgressiveDisease,
            PfsMonths = Math.Min(pfs, 30), PfsEvent = pfs < 30, OsMonths = Math.Min(os, 40), OsEvent = os < 40, LiverResection = random.NextDouble() < (responder ? 0.5 : 0.1),
            UpdatedUtc = DateTime.UtcNow,
        });
        ctx.ClinicalRecords.Add(new ClinicalRecord
        {
            PatientId = patient.Id, SuvMax = Math.Exp(2.3 + (0.25 * z) + (0.3 * Normal(random))), ClinicalRiskScore = random.Next(0, 5), CeaNgPerMl = Math.Exp(3 + Normal(random)),
            Ca199UPerMl = Math.Exp(3 + Normal(random)), PrimarySite = random.Next(2) == 0 ? PrimarySite.Left : PrimarySite.Right, LiverMetastasisCount = random.Next(1, 9),
            LargestDiameterCm = 2 + (4 * random.NextDouble()), Distribution = random.Next(3) == 0 ? LiverDistribution.Unilobar : LiverDistribution.Bilobar,
            AgeYears = random.Next(35, 76), Sex = random.Next(2) == 0 ? Sex.Male : Sex.Female, UpdatedUtc = DateTime.UtcNow,
        });
        if (histology)
        {
            ctx.BiopsyScores.Add(new BiopsyScores { PatientId = patient.Id, Glut1Score = 11 - (3 * z) + (2 * Normal(random)), PkmScore = 12 + (3 * Normal(random)), UpdatedUtc = DateTime.UtcNow });
        }

        return patient;
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Nothing is queued: the benchmark trains in the foreground and never scores through jobs.</summary>
    private sealed class NoJobs : IBackgroundJobs
    {
        public string EnqueueImport(Guid importRunId) => throw new NotSupportedException();

        public string EnqueueSegmentation(Guid lesionId) => throw new NotSupportedException();

        public string EnqueuePairs(Guid lesionId) => throw new NotSupportedException();

        public string EnqueueTraining(Guid networkModelId) => throw new NotSupportedException();

        public string EnqueueExtraction(Guid networkModelId) => throw new NotSupportedException();

        public string EnqueueMixture(Guid networkModelId, int kMax, int dimensions) => throw new NotSupportedException();

        public string EnqueueModelTraining(int modelVersionId) => modelVersionId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public string EnqueueScoring(int modelVersionId, string cohortCode) => throw new NotSupportedException();

        public string EnqueuePatientScoring(int modelVersionId, Guid patientId) => throw new NotSupportedException();
    }
}
