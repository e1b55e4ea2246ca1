using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// The model registry and scoring on real SQLite, with a study written directly: patients whose response follows a known
/// hidden score that F_img and SUVmax carry (and GLUT1 for the histology cohort), a trained network row (no checkpoint:
/// no LibTorch here, so the imaging signature is recorded as unavailable) and its mixture with every pair's F_img.
/// </summary>
public sealed class ModelServiceTests : IAsyncLifetime
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());
    private StudyDatabase db = default!;
    private Guid mixtureId;
    private readonly Dictionary<Guid, double> hidden = [];

    public async Task InitializeAsync()
    {
        db = await StudyDatabase.CreateAsync();
        await using var ctx = db.Context();
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

        var random = new Random(7);
        await AddPatientsAsync(ctx, random, "training", 70, histology: 45);
        await AddPatientsAsync(ctx, random, "external-validation", 50, histology: 50);
        await AddPatientsAsync(ctx, random, "negative-validation", 24, histology: 0, bevacizumab: false);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private ModelService Models => db.Get<ModelService>();

    private ScoringService Scoring => db.Get<ScoringService>();

    /// <summary>
    /// Patients of a cohort: hidden score z ~ N(0, 1); responder with probability sigmoid(2.5 z) under bevacizumab (no
    /// link without); F_img of 3-6 pairs leans on z, SUVmax on z, GLUT1 against z; the first <paramref name="histology"/>
    /// also join the histology cohort with IHC scores.
    /// </summary>
    private async Task AddPatientsAsync(DerbyDbContext ctx, Random random, string cohortCode, int n, int histology, bool bevacizumab = true)
    {
        var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == cohortCode);
        var histologyCohort = await ctx.Cohorts.SingleAsync(c => c.Code == "histology");
        var site = await ctx.Sites.FirstAsync();
        for (var i = 0; i < n; i++)
        {
            var z = Normal(random);
            var responder = random.NextDouble() < 1 / (1 + Math.Exp(-(bevacizumab ? 2.5 * z : 0)));
            var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = $"{cohortCode[..3].ToUpperInvariant()}-{i:0000}", CreatedUtc = DateTime.UtcNow };
            hidden[patient.Id] = z;
            ctx.Patients.Add(patient);
            ctx.CohortMemberships.Add(new CohortMembership { CohortId = cohort.Id, PatientId = patient.Id });
            ctx.Outcomes.Add(new Outcome { PatientId = patient.Id, BestResponse = responder ? RecistResponse.PartialResponse : RecistResponse.ProgressiveDisease, UpdatedUtc = DateTime.UtcNow });
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

            var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = $"1.2.{i}.{random.Next()}", ReceivedUtc = DateTime.UtcNow };
            var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = $"1.3.{i}.{random.Next()}", ReceivedUtc = DateTime.UtcNow };
            ctx.ImagingSeries.AddRange(pet, ct);
            var lesion = new Lesion
            {
                Id = Guid.NewGuid(), PatientId = patient.Id, PetSeriesId = pet.Id, SettingsJson = "{}", InputsSha256 = new string('0', 64), Status = LesionStatus.Accepted,
                RequestedBy = "test", RequestedUtc = DateTime.UtcNow,
            };
            ctx.Lesions.Add(lesion);
            var count = random.Next(3, 7);
            var set = new Domain.PairSet
            {
                Id = Guid.NewGuid(), LesionId = lesion.Id, CtSeriesId = ct.Id, SettingsJson = "{}", PairCount = count, Sha256 = Hex(patient.Id.ToString()), CreatedUtc = DateTime.UtcNow,
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

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static readonly ModelTrainingRequest Quick = new(Trees: 100, Seed: 3);

    private async Task<ModelVersionView> TrainAsync(ModelTrainingRequest request)
    {
        var requested = await Models.RequestTrainingAsync(Pi, request);
        await Models.RunTrainingAsync(requested.Id);
        var model = await Models.GetAsync(Pi, requested.Version);
        Assert.True(model.Status == ModelVersionStatus.Trained, $"{model.Status}: {model.Error}");
        return model;
    }

    private async Task<Dictionary<Guid, double>> TrsAsync(string version)
    {
        await using var ctx = db.Context();
        return await ctx.Predictions.Where(p => p.ModelVersion!.Version == version && !p.IsStale).ToDictionaryAsync(p => p.PatientId, p => p.Trs);
    }

    [Theory]
    [InlineData("external-validation", "an external validation")]
    [InlineData("negative-validation", "a negative control")]
    [InlineData("internal-validation", "an internal validation")]
    public async Task RequestTraining_OnAValidationOrNegativeCohort_IsRefusedWithTheReason(string cohort, string kind)
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Models.RequestTrainingAsync(Pi, Quick with { Cohort = cohort }));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("cohort", error.Field);
        Assert.Contains($"is {kind} cohort", error.Message);
        Assert.Contains("training or histology cohorts only", error.Message);
        Assert.Empty(db.Jobs.ModelTrainings);
    }

    [Fact]
    public async Task RequestTraining_IsForbidden_ForACoordinatorOrReviewer_AndValidatesTheSettings()
    {
        var coordinator = new AccessScope("coord", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { 1 });
        var reviewer = new AccessScope("rev", new HashSet<string> { DerbyRoles.Reviewer }, new HashSet<int>());
        await Assert.ThrowsAsync<ForbiddenException>(() => Models.RequestTrainingAsync(coordinator, Quick));
        await Assert.ThrowsAsync<ForbiddenException>(() => Models.RequestTrainingAsync(reviewer, Quick));

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Models.RequestTrainingAsync(Pi, Quick with { Kind = "derby-max", Lambda = "2se", Threshold = 1 }));
        Assert.Equal(["kind", "lambda", "threshold"], ex.Errors.Select(e => e.Field).Order());
    }

    [Fact]
    public async Task Train_WithLeavesLargerThanThePairsAllow_FailsWithTheReason_AndFreezesNothing()
    {
        var requested = await Models.RequestTrainingAsync(Pi, Quick with { MinimumExamplesPerLeaf = 100_000 });
        await Models.RunTrainingAsync(requested.Id);

        var model = await Models.GetAsync(Pi, requested.Version);
        Assert.Equal(ModelVersionStatus.Failed, model.Status);
        Assert.Contains("The random forest could not be trained on", model.Error);
        Assert.Contains("At least 100000 pairs per leaf cannot be met", model.Error);
        Assert.False(model.IsActive);
        await using var ctx = db.Context();
        var row = await ctx.ModelVersions.SingleAsync(m => m.Version == requested.Version);
        Assert.Null(row.ManifestJson);
        Assert.Equal(1, await ctx.AuditEvents.CountAsync(a => a.Action == "model.failed"));
    }

    [Fact]
    public async Task Train_FreezesAManifestWithEveryHash_AndScoringTheExternalCohortRecoversTheSignal()
    {
        var model = await TrainAsync(Quick);

        Assert.Equal(ModelVersionStatus.Trained, model.Status);
        Assert.True(model.IsActive);
        await using (var ctx = db.Context())
        {
            var row = await ctx.ModelVersions.SingleAsync(m => m.Version == model.Version);
            Assert.Equal(Hex(row.ManifestJson!), row.ArtefactSha256);
            var manifest = JsonSerializer.Deserialize<ModelManifest>(row.ManifestJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Equal("training", manifest.Cohort);
            Assert.Equal(70, manifest.Patients.Count);
            Assert.Equal(["f_img_1", "f_img_2", "f_img_3"], manifest.Columns.Take(3));
            Assert.Equal(manifest.Lasso.Selected, manifest.Columns.Skip(3));
            Assert.Equal("net-test", manifest.Network.Version);
            // No pair count asked for: a leaf holds at least two training patients' pairs on average (ADR 17).
            Assert.Null(manifest.Settings.MinimumExamplesPerLeaf);
            Assert.Equal((int)Math.Round(2.0 * manifest.Forest.Rows / manifest.Patients.Count, MidpointRounding.AwayFromZero), manifest.Forest.Options.MinimumExamplesPerLeaf);
            Assert.Equal(mixtureId, manifest.Mixture.Id);
            // SUVmax carries the hidden score; of the noise factors the LASSO (lambda.1se) keeps none that is pure noise here.
            Assert.Contains("suv_max", manifest.Lasso.Selected);
            Assert.Contains(manifest.Signatures, s => s.Name == "imaging" && s.Unavailable == "the network has no checkpoint");
            Assert.Contains(manifest.Signatures, s => s.Name == "histological" && s.Sha256 is not null);
            var forest = Path.Combine(db.DataDirectory, "store", "models", manifest.Forest.Sha256[..2], manifest.Forest.Sha256[2..4], manifest.Forest.Sha256);
            Assert.True(File.Exists(forest), forest);
            Assert.Equal(manifest.Forest.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(forest))));
        }

        var summary = await Scoring.ScoreCohortAsync(model.Version, "external-validation", "test");
        Assert.Equal((50, 0, 0), (summary.Scored, summary.Unchanged, summary.Skipped.Count));

        // The stored TRS against the hidden score: a model that learned the signal ranks the external patients by it.
        var trs = await TrsAsync(model.Version);
        var rank = Spearman(trs.Keys.Select(k => trs[k]).ToArray(), trs.Keys.Select(k => hidden[k]).ToArray());
        Assert.True(rank > 0.6, $"Spearman(TRS, hidden score) = {rank:0.000}");

        // The evaluation's AUC is the Mann-Whitney statistic of the stored scores against the outcomes.
        var evaluation = await Scoring.EvaluateAsync(Pi, model.Version);
        var external = evaluation.Cohorts.Single(c => c.Cohort == "external-validation");
        await using (var ctx = db.Context())
        {
            var outcomes = await ctx.Outcomes.ToDictionaryAsync(o => o.PatientId, o => o.IsResponder);
            var pos = trs.Where(t => outcomes[t.Key]).Select(t => t.Value).ToList();
            var neg = trs.Where(t => !outcomes[t.Key]).Select(t => t.Value).ToList();
            var mannWhitney = pos.Sum(p => neg.Sum(q => p > q ? 1.0 : p == q ? 0.5 : 0)) / (pos.Count * neg.Count);
            Assert.Equal(mannWhitney, external.Auc!.Auc, 12);
            Assert.Equal(50, external.Evaluated);
            Assert.Equal(pos.Count, external.Responders);
            var tp = pos.Count(p => p >= 0.5);
            Assert.Equal((double)tp / pos.Count, external.Accuracy!.Sensitivity!.Estimate, 12);
            Assert.Equal((double)neg.Count(q => q < 0.5) / neg.Count, external.Accuracy.Specificity!.Estimate, 12);

            // Against the ideal: the hidden score's own AUC on the same outcomes (what a perfect model would reach here).
            var ideal = trs.Keys.Where(k => outcomes[k]).Sum(p => trs.Keys.Where(k => !outcomes[k]).Sum(q => hidden[p] > hidden[q] ? 1.0 : 0)) / (pos.Count * neg.Count);
            Assert.True(external.Auc!.Auc > ideal - 0.15, $"external AUC {external.Auc.Auc:0.000}, ideal {ideal:0.000}");
        }

        Assert.InRange(external.Auc.Lower, 0, external.Auc.Auc);
        Assert.Contains("clinical", external.SignatureAuc.Keys);
        Assert.DoesNotContain("imaging", external.SignatureAuc.Keys);
        Assert.Equal(0, evaluation.Cohorts.Single(c => c.Cohort == "negative-validation").Evaluated);

        // The training cohort's row: the cross-validated scores (each patient scored by a forest that did not see it), not
        // the final model's own scores of its training patients, which are near perfect.
        await Scoring.ScoreCohortAsync(model.Version, "training", "test");
        var cv = await Models.GetCrossValidationAsync(Pi, model.Version);
        Assert.Equal(70, cv.Trs.Count);
        var second = await Scoring.EvaluateAsync(Pi, model.Version);
        var training = second.Cohorts.Single(c => c.Cohort == "training");
        Assert.Contains("cross-validated", training.Note);
        await using (var ctx = db.Context())
        {
            var outcomes = await ctx.Outcomes.ToDictionaryAsync(o => o.PatientId, o => o.IsResponder);
            double MannWhitney(IReadOnlyDictionary<Guid, double> s)
            {
                var pos = s.Where(t => outcomes[t.Key]).Select(t => t.Value).ToList();
                var neg = s.Where(t => !outcomes[t.Key]).Select(t => t.Value).ToList();
                return pos.Sum(p => neg.Sum(q => p > q ? 1.0 : p == q ? 0.5 : 0)) / (pos.Count * neg.Count);
            }

            Assert.Equal(MannWhitney(cv.Trs), training.Auc!.Auc, 12);
            var trainingIds = cv.Trs.Keys.ToHashSet();
            var apparent = MannWhitney((await TrsAsync(model.Version)).Where(t => trainingIds.Contains(t.Key)).ToDictionary());
            Assert.True(training.Auc.Auc < apparent, $"cross-validated {training.Auc.Auc:0.000}, apparent {apparent:0.000}");
        }

        // The histology cohort shares its patients with the training cohort here: the row says so.
        Assert.Contains("45 of the 45 are training patients of this model", second.Cohorts.Single(c => c.Cohort == "histology").Note);
    }

    [Fact]
    public async Task SameDataAndSeeds_GiveTheSameForestAndIdenticalTrs()
    {
        var first = await TrainAsync(Quick);
        var second = await TrainAsync(Quick with { Threshold = 0.5000001 });
        var third = await TrainAsync(Quick with { Seed = 4 });
        foreach (var m in new[] { first, second, third })
        {
            await Scoring.ScoreCohortAsync(m.Version, "external-validation", "test");
        }

        var a = await ManifestAsync(first.Version);
        var b = await ManifestAsync(second.Version);
        Assert.Equal(a.Forest.Sha256, b.Forest.Sha256);
        Assert.Equal(a.Lasso.Selected, b.Lasso.Selected);
        var trsA = await TrsAsync(first.Version);
        var trsB = await TrsAsync(second.Version);
        Assert.Equal(50, trsA.Count);
        Assert.All(trsA, t => Assert.Equal(t.Value, trsB[t.Key]));
        Assert.NotEqual(a.Forest.Sha256, (await ManifestAsync(third.Version)).Forest.Sha256);
    }

    [Fact]
    public async Task ChangingAValidationPatientsData_CannotChangeTheTrainedModel()
    {
        var before = await ManifestAsync((await TrainAsync(Quick)).Version);
        await using (var ctx = db.Context())
        {
            var external = await ctx.CohortMemberships.Where(m => m.Cohort!.Code == "external-validation").Select(m => m.PatientId).ToListAsync();
            foreach (var record in await ctx.ClinicalRecords.Where(c => external.Contains(c.PatientId)).ToListAsync())
            {
                record.SuvMax = 99;
                record.CeaNgPerMl = 1e5;
            }

            foreach (var outcome in await ctx.Outcomes.Where(o => external.Contains(o.PatientId)).ToListAsync())
            {
                outcome.BestResponse = RecistResponse.CompleteResponse;
            }

            var pairs = await ctx.ImagePairs.Where(p => external.Contains(p.PairSet!.Lesion!.PatientId)).Select(p => p.Id).ToListAsync();
            foreach (var f in await ctx.PairImageFeatures.Where(f => pairs.Contains(f.ImagePairId)).ToListAsync())
            {
                f.ResponsibilitiesJson = "[1,0,0]";
            }

            await ctx.SaveChangesAsync();
        }

        var after = await ManifestAsync((await TrainAsync(Quick)).Version);
        Assert.Equal(before.Forest.Sha256, after.Forest.Sha256);
        Assert.Equal(before.Lasso.Coefficients, after.Lasso.Coefficients);
        Assert.Equal(before.Signatures.Select(s => s.Sha256), after.Signatures.Select(s => s.Sha256));
        Assert.Equal(before.PartialDependenceSha256, after.PartialDependenceSha256);
        Assert.Equal(JsonSerializer.Serialize(before.Patients), JsonSerializer.Serialize(after.Patients));
    }

    [Fact]
    public async Task Scoring_IsIdempotent_NewDataMarksThePredictionStale_AndARescoreKeepsTheOldOne()
    {
        var model = await TrainAsync(Quick);
        Guid patient;
        await using (var ctx = db.Context())
        {
            patient = await ctx.CohortMemberships.Where(m => m.Cohort!.Code == "external-validation").OrderBy(m => m.Patient!.Pseudonym).Select(m => m.PatientId).FirstAsync();
        }

        var first = await Scoring.ScorePatientAsync(Pi, model.Version, patient);
        var again = await Scoring.ScorePatientAsync(Pi, model.Version, patient);
        Assert.Equal((1, 0), (first.Scored, first.Unchanged));
        Assert.Equal((0, 1), (again.Scored, again.Unchanged));
        var stored = Assert.Single(await Scoring.PredictionsAsync(Pi, patient));
        Assert.False(stored.IsStale);
        Assert.Equal(["clinical", "f_img", "histology", "instances", "pair_sets"], stored.InputHashes.Keys.Order());
        var pairs = stored.Pairs;
        Assert.Equal(stored.PairCount, pairs.Count);
        Assert.Equal(pairs.Sum(p => p.RoiArea * p.Probability) / pairs.Sum(p => p.RoiArea), stored.Trs, 12);
        Assert.Equal(stored.Trs >= 0.5, stored.PredictedResponder);

        // New clinical data: the prediction is marked stale in the same save, and a new score is a new row.
        await using (var ctx = db.Context())
        {
            (await ctx.ClinicalRecords.SingleAsync(c => c.PatientId == patient)).CeaNgPerMl = 5000;
            await ctx.SaveChangesAsync();
        }

        Assert.True(Assert.Single(await Scoring.PredictionsAsync(Pi, patient)).IsStale);
        var rescored = await Scoring.ScorePatientAsync(Pi, model.Version, patient);
        Assert.Equal(1, rescored.Scored);
        var both = await Scoring.PredictionsAsync(Pi, patient);
        Assert.Equal(2, both.Count);
        Assert.Equal(stored.Id, Assert.Single(both, p => p.IsStale).Id);
        Assert.NotEqual(stored.InputHashes["clinical"], Assert.Single(both, p => !p.IsStale).InputHashes["clinical"]);
        Assert.Equal(stored.InputHashes["f_img"], Assert.Single(both, p => !p.IsStale).InputHashes["f_img"]);
    }

    [Fact]
    public async Task ATrainedModel_IsFrozen_AndAlteredArtefactsAreRefusedOnLoad()
    {
        var model = await TrainAsync(Quick);
        await using (var ctx = db.Context())
        {
            var row = await ctx.ModelVersions.SingleAsync(m => m.Version == model.Version);
            row.SettingsJson = "{}";
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ctx.SaveChangesAsync());
            Assert.Contains($"Model version {model.Version} is frozen: SettingsJson cannot change", ex.Message);
        }

        await using (var ctx = db.Context())
        {
            ctx.ModelVersions.Remove(await ctx.ModelVersions.SingleAsync(m => m.Version == model.Version));
            await Assert.ThrowsAsync<InvalidOperationException>(() => ctx.SaveChangesAsync());
        }

        var manifest = await ManifestAsync(model.Version);
        var forest = Path.Combine(db.DataDirectory, "store", "models", manifest.Forest.Sha256[..2], manifest.Forest.Sha256[2..4], manifest.Forest.Sha256);
        var bytes = await File.ReadAllBytesAsync(forest);
        bytes[^10] ^= 0xFF;
        File.SetAttributes(forest, FileAttributes.Normal);
        await File.WriteAllBytesAsync(forest, bytes);
        var altered = await Assert.ThrowsAsync<InvalidDataException>(() => Scoring.ScoreCohortAsync(model.Version, "external-validation", "test"));
        Assert.Contains(manifest.Forest.Sha256, altered.Message);

        await using (var ctx = db.Context())
        {
            await ctx.Database.ExecuteSqlInterpolatedAsync($"UPDATE ModelVersions SET ManifestJson = replace(ManifestJson, '\"threshold\":0.5', '\"threshold\":0.1') WHERE Version = {model.Version}");
        }

        var tampered = await Assert.ThrowsAsync<InvalidDataException>(() => Scoring.ScoreCohortAsync(model.Version, "external-validation", "test"));
        Assert.Contains("does not match its SHA-256", tampered.Message);
    }

    [Fact]
    public async Task DerbyPlus_TrainsOnTheHistologyCohortWithIhc_AndSkipsPatientsWithoutIhcWhenScoring()
    {
        var model = await TrainAsync(Quick with { Kind = ModelKinds.DerbyPlus });

        Assert.Equal(ModelVersionStatus.Trained, model.Status);
        Assert.Equal("histology", model.Cohort);
        Assert.Equal(45, model.TrainingPatients);
        Assert.Equal(["glut1", "pkm"], model.Columns!.TakeLast(2));
        var negative = await Scoring.ScoreCohortAsync(model.Version, "negative-validation", "test");
        Assert.Equal(24, negative.Skipped.Count);
        Assert.All(negative.Skipped, s => Assert.Contains("no IHC scores", s.Reason));
        var external = await Scoring.ScoreCohortAsync("derby-plus", "external-validation", "test");
        Assert.Equal(50, external.Scored);
    }

    [Fact]
    public async Task CommandLine_TrainsScoresAndEvaluates_ThroughTheSameUseCases_AndRecoversFromCrashes()
    {
        static void Ok((int ExitCode, string StdOut, string StdErr) run) => Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var refused = await Cli.RunAsync(db.DataDirectory, null, "train", "--model", "derby", "--cohort", "external-validation");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is an external validation cohort", refused.StdErr);

        // Killed at the commit of the frozen model: nothing frozen; the same command again trains it (the pending request).
        var crashed = await Cli.RunAsync(db.DataDirectory, "model.commit", "train", "--model", "derby", "--trees", "60", "--seed", "5");
        Assert.NotEqual(0, crashed.ExitCode);
        await using (var ctx = db.Context())
        {
            Assert.Equal(ModelVersionStatus.Training, (await ctx.ModelVersions.SingleAsync()).Status);
        }

        var train = await Cli.RunAsync(db.DataDirectory, null, "train", "--model", "derby", "--trees", "60", "--seed", "5");
        Ok(train);
        Assert.Contains("LASSO selection", train.StdErr);
        using var trained = JsonDocument.Parse(train.StdOut);
        var version = trained.RootElement.GetProperty("version").GetString()!;
        Assert.Equal("trained", trained.RootElement.GetProperty("status").GetString());
        await using (var ctx = db.Context())
        {
            Assert.Equal(version, (await ctx.ModelVersions.SingleAsync()).Version);
        }

        // Killed at the third prediction: two stored, whole; the rerun scores the rest, a third run scores nothing.
        var killed = await Cli.RunAsync(db.DataDirectory, "prediction.commit:3", "score", "--cohort", "external-validation", "--model", version);
        Assert.NotEqual(0, killed.ExitCode);
        await using (var ctx = db.Context())
        {
            Assert.Equal(2, await ctx.Predictions.CountAsync());
        }

        // A second, newer version is not made active: "derby" still scores with the first, and the command says so.
        var newer = await Cli.RunAsync(db.DataDirectory, null, "train", "--model", "derby", "--trees", "60", "--seed", "6");
        Ok(newer);
        var newerVersion = JsonDocument.Parse(newer.StdOut).RootElement.GetProperty("version").GetString()!;
        Assert.NotEqual(version, newerVersion);
        var score = await Cli.RunAsync(db.DataDirectory, null, "score", "--cohort", "external-validation", "--model", "derby");
        Ok(score);
        Assert.Contains($"note: derby is the active version {version}; the newer trained version {newerVersion} is not active", score.StdErr);
        using (var summary = JsonDocument.Parse(score.StdOut))
        {
            Assert.Equal((48, 2), (summary.RootElement.GetProperty("scored").GetInt32(), summary.RootElement.GetProperty("unchanged").GetInt32()));
            Assert.Equal(version, summary.RootElement.GetProperty("model_version").GetString());
        }

        var again = await Cli.RunAsync(db.DataDirectory, null, "score", "--cohort", "external-validation", "--model", version);
        Ok(again);
        using (var summary = JsonDocument.Parse(again.StdOut))
        {
            Assert.Equal((0, 50), (summary.RootElement.GetProperty("scored").GetInt32(), summary.RootElement.GetProperty("unchanged").GetInt32()));
        }

        await using (var ctx = db.Context())
        {
            Assert.Equal(50, await ctx.Predictions.CountAsync());
        }

        // The table prints what the evaluation computes.
        var table = await Cli.RunAsync(db.DataDirectory, null, "evaluate", "--model", version);
        Ok(table);
        var evaluation = await Scoring.EvaluateAsync(Pi, version);
        var external = evaluation.Cohorts.Single(c => c.Cohort == "external-validation");
        Assert.Contains("Cohort", table.StdOut);
        Assert.Contains("AUC (95% CI)", table.StdOut);
        var row = table.StdOut.Split('\n').Single(l => l.StartsWith("External validation", StringComparison.Ordinal));
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{external.Auc!.Auc:0.00} ({external.Auc.Lower:0.00}-{external.Auc.Upper:0.00})"), row);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{100 * external.Accuracy!.Sensitivity!.Estimate:0.0}%"), row);
        Assert.Contains("50/50", row);
    }

    private async Task<ModelManifest> ManifestAsync(string version)
    {
        await using var ctx = db.Context();
        var row = await ctx.ModelVersions.SingleAsync(m => m.Version == version);
        return JsonSerializer.Deserialize<ModelManifest>(row.ManifestJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private static double Spearman(double[] x, double[] y)
    {
        static double[] Rank(double[] v)
        {
            var order = v.Select((value, i) => (value, i)).OrderBy(t => t.value).ToArray();
            var rank = new double[v.Length];
            for (var i = 0; i < order.Length; i++)
            {
                rank[order[i].i] = i;
            }

            return rank;
        }

        var (rx, ry) = (Rank(x), Rank(y));
        var (mx, my) = (rx.Average(), ry.Average());
        return rx.Zip(ry).Sum(t => (t.First - mx) * (t.Second - my)) / Math.Sqrt(rx.Sum(a => (a - mx) * (a - mx)) * ry.Sum(b => (b - my) * (b - my)));
    }
}
