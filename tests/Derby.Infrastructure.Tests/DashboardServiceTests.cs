using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Dashboards;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Derby.Statistics;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// A study written directly in SQLite (as <see cref="ModelServiceTests"/>: response follows a hidden score that F_img,
/// SUVmax and GLUT1 carry; PFS and OS follow response; two sites), a DERBY model trained on the training cohort and a
/// DERBY+ model on the histology cohort, both scoring the external validation cohort. Shared by the tests of the class.
/// </summary>
public sealed class DashboardStudy : IAsyncLifetime
{
    public static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

    public StudyDatabase Db { get; private set; } = default!;

    public string Derby { get; private set; } = "";

    public string DerbyPlus { get; private set; } = "";

    public IReadOnlyList<string> SiteCodes { get; private set; } = [];

    private Guid mixtureId;

    public async Task InitializeAsync()
    {
        Db = await StudyDatabase.CreateAsync();
        await using var ctx = Db.Context();
        var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == "training");
        var network = new NetworkModel
        {
            Id = Guid.NewGuid(), Version = "net-test", CohortId = cohort.Id, Status = NetworkModelStatus.Trained, SettingsJson = "{}", RequestedBy = "test",
            RequestedUtc = DateTime.UtcNow,
        };
        var mixture = new MixtureModel
        {
            Id = Guid.NewGuid(), NetworkModelId = network.Id, K = 3, CovarianceType = "Diagonal", BicJson = "[]", ParametersSha256 = new string('a', 64), TrainingPairs = 1,
            CreatedUtc = DateTime.UtcNow,
        };
        ctx.NetworkModels.Add(network);
        ctx.MixtureModels.Add(mixture);
        await ctx.SaveChangesAsync();
        mixtureId = mixture.Id;
        var sites = await ctx.Sites.OrderBy(s => s.Code).Take(2).ToListAsync();
        SiteCodes = [.. sites.Select(s => s.Code)];

        var random = new Random(11);
        await AddPatientsAsync(ctx, random, sites, "training", 60, histology: 45);
        await AddPatientsAsync(ctx, random, sites, "external-validation", 60, histology: 60);
        // Three patients, all responders: one class only.
        await AddPatientsAsync(ctx, random, sites, "internal-validation", 3, histology: 3, allRespond: true);

        var models = Db.Get<ModelService>();
        var scoring = Db.Get<ScoringService>();
        Derby = await TrainAsync(models, new ModelTrainingRequest(Trees: 60, Seed: 3));
        DerbyPlus = await TrainAsync(models, new ModelTrainingRequest(Kind: ModelKinds.DerbyPlus, Trees: 60, Seed: 3));
        foreach (var version in new[] { Derby, DerbyPlus })
        {
            await scoring.ScoreCohortAsync(version, "external-validation", "test");
            await scoring.ScoreCohortAsync(version, "internal-validation", "test");
        }
    }

    public async Task DisposeAsync() => await Db.DisposeAsync();

    private static async Task<string> TrainAsync(ModelService models, ModelTrainingRequest request)
    {
        var requested = await models.RequestTrainingAsync(Pi, request);
        await models.RunTrainingAsync(requested.Id);
        var model = await models.GetAsync(Pi, requested.Version);
        Assert.True(model.Status == ModelVersionStatus.Trained, $"{model.Status}: {model.Error}");
        return model.Version;
    }

    private async Task AddPatientsAsync(DerbyDbContext ctx, Random random, IReadOnlyList<Site> sites, string cohortCode, int n, int histology, bool allRespond = false)
    {
        var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == cohortCode);
        var histologyCohort = await ctx.Cohorts.SingleAsync(c => c.Code == "histology");
        for (var i = 0; i < n; i++)
        {
            var z = Normal(random);
            var responder = allRespond || random.NextDouble() < 1 / (1 + Math.Exp(-2.5 * z));
            var patient = new Patient { Id = Guid.NewGuid(), SiteId = sites[i % sites.Count].Id, Pseudonym = $"{cohortCode[..3].ToUpperInvariant()}-{i:0000}", CreatedUtc = DateTime.UtcNow };
            ctx.Patients.Add(patient);
            ctx.CohortMemberships.Add(new CohortMembership { CohortId = cohort.Id, PatientId = patient.Id });
            var pfs = -Math.Log(1 - random.NextDouble()) * (responder ? 14 : 7);
            var os = pfs + (-Math.Log(1 - random.NextDouble()) * 12);
            ctx.Outcomes.Add(new Outcome
            {
                PatientId = patient.Id, BestResponse = responder ? (i % 5 == 0 ? RecistResponse.CompleteResponse : RecistResponse.PartialResponse)
                    : i % 2 == 0 ? RecistResponse.StableDisease : RecistResponse.ProgressiveDisease,
                PfsMonths = Math.Min(pfs, 30), PfsEvent = pfs < 30, OsMonths = Math.Min(os, 40), OsEvent = os < 40, LiverResection = responder ? random.NextDouble() < 0.5 : random.NextDouble() < 0.1,
                UpdatedUtc = DateTime.UtcNow,
            });
            ctx.ClinicalRecords.Add(new ClinicalRecord
            {
                PatientId = patient.Id, SuvMax = Math.Exp(2.3 + (0.25 * z) + (0.3 * Normal(random))), ClinicalRiskScore = random.Next(0, 5), CeaNgPerMl = Math.Exp(3 + Normal(random)),
                Ca199UPerMl = Math.Exp(3 + Normal(random)), PrimarySite = random.Next(2) == 0 ? PrimarySite.Left : PrimarySite.Right, LiverMetastasisCount = random.Next(1, 9),
                LargestDiameterCm = 2 + (4 * random.NextDouble()), Distribution = LiverDistribution.Bilobar, AgeYears = random.Next(35, 76), Sex = Sex.Male, UpdatedUtc = DateTime.UtcNow,
            });
            if (i < histology)
            {
                ctx.BiopsyScores.Add(new BiopsyScores { PatientId = patient.Id, Glut1Score = 11 - (3 * z) + (2 * Normal(random)), PkmScore = 12 + (3 * Normal(random)), UpdatedUtc = DateTime.UtcNow });
                if (cohortCode == "training")
                {
                    ctx.CohortMemberships.Add(new CohortMembership { CohortId = histologyCohort.Id, PatientId = patient.Id });
                }
            }

            var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = $"1.2.{cohortCode}.{i}", ReceivedUtc = DateTime.UtcNow };
            var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = $"1.3.{cohortCode}.{i}", ReceivedUtc = DateTime.UtcNow };
            ctx.ImagingSeries.AddRange(pet, ct);
            var lesion = new Lesion
            {
                Id = Guid.NewGuid(), PatientId = patient.Id, PetSeriesId = pet.Id, SettingsJson = "{}", InputsSha256 = new string('0', 64), Status = LesionStatus.Accepted,
                RequestedBy = "test", RequestedUtc = DateTime.UtcNow,
            };
            ctx.Lesions.Add(lesion);
            var count = random.Next(3, 6);
            var set = new Domain.PairSet
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
                ctx.PairImageFeatures.Add(new PairImageFeature { MixtureModelId = mixtureId, ImagePairId = pair.Id, ResponsibilitiesJson = JsonSerializer.Serialize(exp.Select(e => e / exp.Sum())) });
            }
        }

        await ctx.SaveChangesAsync();
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>The dashboard's numbers are the statistics engine's on the same scores and outcomes; what cannot be estimated says why; the cache.</summary>
public sealed class DashboardServiceTests(DashboardStudy study) : IClassFixture<DashboardStudy>
{
    private const int Precision = 12;
    private static readonly AccessScope Pi = DashboardStudy.Pi;

    private DashboardService Dashboards => study.Db.Get<DashboardService>();

    private sealed record Patient(Guid Id, int SiteId, double Trs, bool Responder, Outcome Outcome, IReadOnlyList<SignatureScore> Signatures);

    /// <summary>The external validation members with an outcome and a current prediction of a version, straight from the database.</summary>
    private async Task<List<Patient>> ScoredAsync(string version, string cohort = "external-validation", string? site = null)
    {
        await using var ctx = study.Db.Context();
        var members = await ctx.CohortMemberships.Where(m => m.Cohort!.Code == cohort).Select(m => m.PatientId).ToListAsync();
        var siteId = site is null ? (int?)null : (await ctx.Sites.SingleAsync(s => s.Code == site)).Id;
        var predictions = await ctx.Predictions.Where(p => p.ModelVersion!.Version == version && !p.IsStale).ToDictionaryAsync(p => p.PatientId);
        var outcomes = await ctx.Outcomes.ToDictionaryAsync(o => o.PatientId);
        var patients = await ctx.Patients.ToDictionaryAsync(p => p.Id, p => p.SiteId);
        return [.. members.Where(m => predictions.ContainsKey(m) && outcomes.ContainsKey(m) && (siteId is null || patients[m] == siteId))
            .Select(m => new Patient(m, patients[m], predictions[m].Trs, outcomes[m].IsResponder, outcomes[m],
                JsonSerializer.Deserialize<List<SignatureScore>>(predictions[m].SignaturesJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!))];
    }

    [Fact]
    public async Task Table2_DeLong_Calibration_Survival_AndTrsTests_EqualTheStatisticsEngine_OnTheSameData()
    {
        var dashboard = await Dashboards.GetAsync(Pi, new DashboardFilter(Cohort: "external-validation"));

        // Default: the active DERBY+ (with the active DERBY beside it).
        Assert.Equal(study.DerbyPlus, dashboard.ModelVersion);
        Assert.Equal(study.Derby, dashboard.DerbyVersion);
        var section = Assert.Single(dashboard.Sections);
        var plus = await ScoredAsync(study.DerbyPlus);
        var derby = await ScoredAsync(study.Derby);
        Assert.Equal(60, plus.Count);
        Assert.Equal(plus.Count, section.Evaluated);
        var x = plus.Select(p => p.Trs).ToArray();
        var y = plus.Select(p => p.Responder ? 1 : 0).ToArray();

        foreach (var (name, scored) in new[] { ("DERBY", derby), ("DERBY+", plus) })
        {
            var row = section.Performance.Single(r => r.Model == name);
            var s = scored.Select(p => p.Trs).ToArray();
            var l = scored.Select(p => p.Responder ? 1 : 0).ToArray();
            var auc = RocAnalysis.DeLong(s, l);
            Assert.Equal(auc.Auc, row.Auc.Value!.Auc, Precision);
            Assert.Equal(auc.Lower, row.Auc.Value.Lower, Precision);
            Assert.Equal(auc.Upper, row.Auc.Value.Upper, Precision);
            var accuracy = DiagnosticAccuracy.AtThreshold(s, l, 0.5);
            Assert.Equal(accuracy, row.Accuracy.Value);
            Assert.Equal(RocAnalysis.Curve(s, l).Count, section.Roc.Single(r => r.Model == name).Points.Count);
        }

        // The clinical and histological signatures of DERBY+ are in Table 2; the imaging one says why it is missing.
        var histological = plus.Where(p => p.Signatures.Single(v => v.Name == "histological").Score is not null).ToList();
        Assert.NotEmpty(histological);
        var histologicalRow = section.Performance.Single(r => r.Model == "histological");
        Assert.Equal(histological.Count, histologicalRow.Patients);
        Assert.Equal(RocAnalysis.DeLong(histological.Select(p => p.Signatures.Single(v => v.Name == "histological").Score!.Value).ToArray(),
            histological.Select(p => p.Responder ? 1 : 0).ToArray()).Auc, histologicalRow.Auc.Value!.Auc, Precision);
        var clinical = plus.Select(p => p.Signatures.Single(v => v.Name == "clinical")).ToList();
        var clinicalRow = section.Performance.Single(r => r.Model == "clinical");
        Assert.Equal(clinical.Count(c => c.Score is not null), clinicalRow.Patients);
        if (clinical.All(c => c.Score is null))
        {
            Assert.Equal($"no clinical scores: {clinical[0].Unavailable}", clinicalRow.Auc.Reason);
        }
        var imaging = section.Performance.Single(r => r.Model == "imaging");
        Assert.Null(imaging.Auc.Value);
        Assert.Contains("no imaging scores", imaging.Auc.Reason);

        // Paired DeLong on the patients both models scored.
        var both = derby.Join(plus, d => d.Id, p => p.Id, (d, p) => (d, p)).ToList();
        var compare = RocAnalysis.CompareDeLong(both.Select(t => t.d.Trs).ToArray(), both.Select(t => t.p.Trs).ToArray(), both.Select(t => t.d.Responder ? 1 : 0).ToArray());
        Assert.Equal(both.Count, section.DeLong.Value!.Patients);
        Assert.Equal(compare.P, section.DeLong.Value.Comparison.P, Precision);
        Assert.Equal(compare.Z, section.DeLong.Value.Comparison.Z, Precision);

        // DERBY+ against its histological signature, paired on the patients with both.
        var versusHistology = RocAnalysis.CompareDeLong(histological.Select(p => p.Trs).ToArray(),
            histological.Select(p => p.Signatures.Single(v => v.Name == "histological").Score!.Value).ToArray(), histological.Select(p => p.Responder ? 1 : 0).ToArray());
        var histologyTest = section.SignatureComparisons.Single(c => c.Signature == "histological").Test.Value!;
        Assert.Equal(("DERBY+", histological.Count), (histologyTest.Model1, histologyTest.Patients));
        Assert.Equal(versusHistology.P, histologyTest.Comparison.P, Precision);
        Assert.Equal("no imaging scores", section.SignatureComparisons.Single(c => c.Signature == "imaging").Test.Reason);

        // Calibration and decision curve.
        var yd = y.Select(v => (double)v).ToArray();
        Assert.Equal(Calibration.Brier(x, yd), section.Calibration.Value!.Brier, Precision);
        var hl = Calibration.HosmerLemeshow(x, yd, 10);
        Assert.Equal(hl.ChiSquare, section.Calibration.Value.HosmerLemeshow!.ChiSquare, Precision);
        Assert.Equal(hl.P, section.Calibration.Value.HosmerLemeshow.P, Precision);
        Assert.Equal(DecisionCurve.Compute(x, y), section.DecisionCurve.Value!.Points);

        // Survival by predicted group: log-rank p and the Cox hazard ratio of predicted responders.
        var groups = plus.Select(p => p.Trs >= 0.5 ? DashboardService.PredictedResponders : DashboardService.PredictedNonResponders).ToList();
        var pfsTimes = plus.Select(p => p.Outcome.PfsMonths).ToArray();
        var pfsEvents = plus.Select(p => p.Outcome.PfsEvent ? 1 : 0).ToArray();
        Assert.Equal(LogRankTest.Compute(pfsTimes, pfsEvents, groups).P, section.Pfs.Value!.LogRank.Value!.P, Precision);
        var cox = CoxRegression.Fit(pfsTimes, pfsEvents, [groups.Select(g => g == DashboardService.PredictedResponders ? 1.0 : 0).ToArray()], ["r"]).Coefficients[0];
        Assert.Equal(cox.HazardRatio, section.Pfs.Value.HazardRatio.Value!.HazardRatio, Precision);
        Assert.Equal(cox.HazardRatioLower, section.Pfs.Value.HazardRatio.Value.HazardRatioLower, Precision);
        var osTimes = plus.Select(p => p.Outcome.OsMonths).ToArray();
        var osEvents = plus.Select(p => p.Outcome.OsEvent ? 1 : 0).ToArray();
        Assert.Equal(LogRankTest.Compute(osTimes, osEvents, groups).P, section.Os.Value!.LogRank.Value!.P, Precision);
        var responderTimes = pfsTimes.Where((_, i) => groups[i] == DashboardService.PredictedResponders).ToArray();
        Assert.Equal(KaplanMeier.NumberAtRisk(responderTimes, [.. DashboardService.RiskTimes]),
            section.Pfs.Value.AtRisk.Single(r => r.Group == DashboardService.PredictedResponders).AtRisk);

        // TRS by response group, the waterfall, and the rates by predicted group.
        var mw = MannWhitneyTest.Compute(x.Where((_, i) => y[i] == 1).ToArray(), x.Where((_, i) => y[i] == 0).ToArray());
        Assert.Equal(mw.P, section.TrsByResponse.Value!.MannWhitney.P, Precision);
        Assert.Equal(x.OrderByDescending(v => v), section.Waterfall.Select(b => b.Trs));
        var predicted = plus.Where(p => p.Trs >= 0.5).ToList();
        var orr = BinomialConfidenceInterval.Compute(predicted.Count(p => p.Responder), predicted.Count);
        Assert.Equal(orr, section.Rates.Single(r => r.Group == DashboardService.PredictedResponders).ResponseRate.Value);
        var resection = BinomialConfidenceInterval.Compute(predicted.Count(p => p.Outcome.LiverResection), predicted.Count);
        Assert.Equal(resection, section.Rates.Single(r => r.Group == DashboardService.PredictedResponders).ResectionRate.Value);
    }

    [Fact]
    public async Task PerSite_TheNumbersAreThoseOfTheSitesPatients_AndTheTrainingCohortUsesCrossValidatedTrs()
    {
        var site = study.SiteCodes[1];
        var dashboard = await Dashboards.GetAsync(Pi, new DashboardFilter(ModelVersion: study.Derby, BySite: true));
        Assert.Equal(study.Derby, dashboard.ModelVersion);
        var section = dashboard.Sections.Single(s => s.Cohort == "external-validation" && s.Site == site);
        var scored = await ScoredAsync(study.Derby, site: site);
        Assert.Equal(30, scored.Count);
        var auc = RocAnalysis.DeLong(scored.Select(p => p.Trs).ToArray(), scored.Select(p => p.Responder ? 1 : 0).ToArray());
        Assert.Equal(auc.Auc, section.Performance.Single(r => r.Model == "DERBY").Auc.Value!.Auc, Precision);

        var cv = await study.Db.Get<ModelService>().GetCrossValidationAsync(Pi, study.Derby);
        var training = dashboard.Sections.Single(s => s.Cohort == "training" && s.Site is null);
        Assert.Contains("cross-validated", training.Note);
        await using var ctx = study.Db.Context();
        var outcomes = await ctx.Outcomes.ToDictionaryAsync(o => o.PatientId, o => o.IsResponder);
        var ids = cv.Trs.Keys.ToList();
        var cvAuc = RocAnalysis.Auc(ids.Select(i => cv.Trs[i]).ToArray(), ids.Select(i => outcomes[i] ? 1 : 0).ToArray());
        Assert.Equal(cvAuc, training.Performance.Single(r => r.Model == "DERBY").Auc.Value!.Auc, Precision);
    }

    [Fact]
    public async Task NotEstimable_OneClassOrNoScores_GiveTheReasonInsteadOfANumber()
    {
        var dashboard = await Dashboards.GetAsync(Pi, new DashboardFilter());
        var one = dashboard.Sections.Single(s => s.Cohort == "internal-validation");
        Assert.Equal(3, one.Evaluated);
        var row = one.Performance.Single(r => r.Model == "DERBY+");
        Assert.Null(row.Auc.Value);
        Assert.Equal("not estimable: 3 responders and 0 non-responders (at least 2 of each needed)", row.Auc.Reason);
        Assert.NotNull(row.Accuracy.Value);
        Assert.Null(row.Accuracy.Value!.Specificity);
        Assert.Null(one.DeLong.Value);
        Assert.Contains("3 patients scored by both models", one.DeLong.Reason);
        Assert.Null(one.Calibration.Value);
        Assert.Null(one.TrsByResponse.Value);
        Assert.NotNull(one.Roc.Single(r => r.Model == "DERBY+").Reason);

        var negative = dashboard.Sections.Single(s => s.Cohort == "negative-validation");
        Assert.Equal(0, negative.Evaluated);
        Assert.Equal("no patients with an outcome and a current score", negative.Performance.Single(r => r.Model == "DERBY").Auc.Reason);
        Assert.Equal("no patients with an outcome and a current score", negative.Pfs.Reason);
        Assert.Equal("no predicted responders", negative.Rates.Single(r => r.Group == DashboardService.PredictedResponders).ResponseRate.Reason);
    }

    [Fact]
    public async Task Cache_ReturnsTheSameInstance_UntilAnOutcomeOrPredictionChanges()
    {
        var filter = new DashboardFilter(Cohort: "external-validation");
        var cache = study.Db.Host.Services.GetService(typeof(DashboardCache)) as DashboardCache;
        var first = await Dashboards.GetAsync(Pi, filter);
        var computations = cache!.Computations;
        var again = await Dashboards.GetAsync(Pi, filter with { });
        Assert.Same(first, again);
        Assert.Equal(computations, cache.Computations);

        var patient = (await ScoredAsync(study.DerbyPlus))[0];
        await using (var ctx = study.Db.Context())
        {
            var outcome = await ctx.Outcomes.SingleAsync(o => o.PatientId == patient.Id);
            outcome.BestResponse = outcome.IsResponder ? RecistResponse.ProgressiveDisease : RecistResponse.PartialResponse;
            outcome.UpdatedUtc = DateTime.UtcNow.AddSeconds(1);
            await ctx.SaveChangesAsync();
        }

        // Several circuits asking at once after the change: one computation, one instance.
        var beforeChange = cache.Computations;
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Dashboards.GetAsync(Pi, filter)));
        Assert.Equal(beforeChange + 1, cache.Computations);
        Assert.All(concurrent, d => Assert.Same(concurrent[0], d));
        var changed = await Dashboards.GetAsync(Pi, filter);
        Assert.Same(concurrent[0], changed);
        Assert.NotSame(first, changed);
        Assert.Equal(first.Sections[0].Responders + (patient.Responder ? -1 : 1), changed.Sections[0].Responders);
        Assert.Same(changed, await Dashboards.GetAsync(Pi, filter));

        // A prediction marked stale changes the data version too.
        await using (var ctx = study.Db.Context())
        {
            var prediction = await ctx.Predictions.FirstAsync(p => p.PatientId == patient.Id && p.ModelVersion!.Version == study.DerbyPlus && !p.IsStale);
            prediction.IsStale = true;
            await ctx.SaveChangesAsync();
        }

        var fewer = await Dashboards.GetAsync(Pi, filter);
        Assert.NotSame(changed, fewer);
        Assert.Equal(59, fewer.Sections[0].Evaluated);

        // Put both back, so the class's other tests see the study as written.
        await using (var ctx = study.Db.Context())
        {
            var prediction = await ctx.Predictions.FirstAsync(p => p.PatientId == patient.Id && p.ModelVersion!.Version == study.DerbyPlus && p.IsStale);
            prediction.IsStale = false;
            var outcome = await ctx.Outcomes.SingleAsync(o => o.PatientId == patient.Id);
            outcome.BestResponse = patient.Outcome.BestResponse;
            outcome.UpdatedUtc = DateTime.UtcNow.AddSeconds(2);
            await ctx.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task Dashboard_SerializesToJson_ForTheApi()
    {
        var dashboard = await Dashboards.GetAsync(Pi, new DashboardFilter(BySite: true));
        var json = JsonSerializer.Serialize(dashboard, DashboardService.JsonOptions);
        Assert.Contains("\"performance\"", json);
        foreach (var table in DashboardCsv.Tables)
        {
            Assert.NotNull(DashboardCsv.Write(dashboard, table));
        }
    }

    [Fact]
    public async Task Table1_CountsEachCohortsPatientsFromTheDatabase_AndTestsThemWithTheEngine()
    {
        var dashboard = await Dashboards.GetAsync(Pi, new DashboardFilter());
        var table = dashboard.Characteristics;
        Assert.Equal("training", table.Reference);
        await using var ctx = study.Db.Context();
        var clinical = await ctx.ClinicalRecords.ToDictionaryAsync(c => c.PatientId);
        var biopsies = await ctx.BiopsyScores.ToDictionaryAsync(b => b.PatientId);
        async Task<List<Guid>> Members(string cohort) => await ctx.CohortMemberships.Where(m => m.Cohort!.Code == cohort).Select(m => m.PatientId).ToListAsync();
        var training = await Members("training");
        var external = await Members("external-validation");
        var histology = await Members("histology");

        Assert.Equal([training.Count, external.Count, histology.Count], new[] { "training", "external-validation", "histology" }
            .Select(c => table.Columns.Single(x => x.Cohort == c).Patients));
        var cea = table.Variables.Single(v => v.Name == "Preop. CEA, ng/ml");
        var externalColumn = table.Columns.ToList().FindIndex(c => c.Cohort == "external-validation");
        Assert.Equal(external.Count(id => clinical[id].CeaNgPerMl >= 200), cea.Rows.Single(r => r.Label == "≥200").Cells[externalColumn].Count);
        var suv = table.Variables.Single(v => v.Name == "SUVmax");
        Assert.Equal(external.Average(id => clinical[id].SuvMax!.Value), suv.Rows[0].Cells[externalColumn].Mean!.Value, Precision);
        var mannWhitney = MannWhitneyTest.Compute(training.Select(id => clinical[id].SuvMax!.Value).ToArray(), external.Select(id => clinical[id].SuvMax!.Value).ToArray());
        Assert.Equal(mannWhitney.P, suv.Tests.Single(t => t.Cohort == "external-validation").P!.Value, Precision);
        // GLUT1 is known only for the patients with a biopsy: 45 of the 60 training patients.
        var glut1 = table.Variables.Single(v => v.Name == "GLUT1 score").Rows[0].Cells[table.Columns.ToList().FindIndex(c => c.Cohort == "training")];
        Assert.Equal(training.Count(biopsies.ContainsKey), glut1.Known);
        Assert.Equal(45, glut1.Known);
        // Every study patient is male: no sex test anywhere, and the reason says so; the negative cohort has no patients at all.
        var sex = table.Variables.Single(v => v.Name == "Sex").Tests;
        Assert.All(sex.Where(t => t.Cohort != "negative-validation"), t => Assert.Contains("every patient of both cohorts is Male", t.Reason));
        Assert.Equal("not estimable: no known values in negative-validation", sex.Single(t => t.Cohort == "negative-validation").Reason);

        var csv = DashboardCsv.Write(dashboard, "characteristics-tests")!;
        Assert.Contains($"SUVmax,external-validation,training,Mann-Whitney,{mannWhitney.Statistic.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", csv);
    }

    [Fact]
    public async Task DateRange_KeepsThePatientsRegisteredInIt_AndARangeEndingBeforeItStartsIsRefused()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var all = await Dashboards.GetAsync(Pi, new DashboardFilter(Cohort: "external-validation"));
        var around = await Dashboards.GetAsync(Pi, new DashboardFilter(Cohort: "external-validation", From: today.AddDays(-1), To: today));
        Assert.Equal(all.Sections[0].Evaluated, around.Sections[0].Evaluated);
        Assert.Equal(60, around.Characteristics.Columns.Single().Patients);

        var later = await Dashboards.GetAsync(Pi, new DashboardFilter(Cohort: "external-validation", From: today.AddDays(1)));
        Assert.Equal((0, 0), (later.Sections[0].Members, later.Characteristics.Columns.Single().Patients));
        var earlier = await Dashboards.GetAsync(Pi, new DashboardFilter(Cohort: "external-validation", To: today.AddDays(-1)));
        Assert.Equal(0, earlier.Sections[0].Evaluated);

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => Dashboards.GetAsync(Pi, new DashboardFilter(From: today, To: today.AddDays(-1))));
        Assert.Equal("to", Assert.Single(refused.Errors).Field);
    }

    [Fact]
    public async Task Figures_AreThoseOfTheDashboardsModelVersion()
    {
        var models = study.Db.Get<ModelService>();
        foreach (var version in new[] { study.Derby, study.DerbyPlus })
        {
            var figures = (await Dashboards.GetAsync(Pi, new DashboardFilter(ModelVersion: version))).Figures!;
            var lasso = await models.GetLassoAsync(Pi, version);
            Assert.Equal(version, figures.Version);
            Assert.Equal(lasso.Candidates, figures.Lasso.Candidates);
            Assert.Equal(lasso.Lambda1se, figures.Lasso.Lambda1se);
            Assert.Equal((await models.GetPartialDependenceAsync(Pi, version)).Curves.Select(c => c.Column), figures.PartialDependence.Curves.Select(c => c.Column));
        }

        Assert.Contains("glut1", (await Dashboards.GetAsync(Pi, new DashboardFilter(ModelVersion: study.DerbyPlus))).Figures!.PartialDependence.Curves.Select(c => c.Column));
    }

    [Fact]
    public async Task Dashboards_AreForAdministratorsAndPrincipalInvestigatorsOnly()
    {
        var coordinator = new AccessScope("coord", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { 1 });
        var reviewer = new AccessScope("rev", new HashSet<string> { DerbyRoles.Reviewer }, new HashSet<int>());
        await Assert.ThrowsAsync<ForbiddenException>(() => Dashboards.GetAsync(coordinator, new DashboardFilter()));
        await Assert.ThrowsAsync<ForbiddenException>(() => Dashboards.GetAsync(reviewer, new DashboardFilter()));
        await Assert.ThrowsAsync<NotFoundException>(() => Dashboards.GetAsync(Pi, new DashboardFilter(Cohort: "nope")));
    }
}
