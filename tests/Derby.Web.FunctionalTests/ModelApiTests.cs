using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Derby.Application.Access;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The model registry over the API and its page in the real app: the role checks, the refusal of a validation cohort,
/// and a DERBY model trained by the in-process job server on a study written directly to the database (as
/// ModelServiceTests does: a trained network row without checkpoint, its mixture with every pair's F_img), then
/// evaluated, scored and read back by the roles that may or may not read the patient. The data lives in a study of its
/// own (own cohorts) so that the demo study's counts the other tests check are left alone; its patients are at ZSH.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ModelApiTests(DerbyWebFactory app)
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task ModelsApiAndPage_OpenForAdminsAndPis_WithTheNavLink_AndAreForbiddenToEveryoneElse()
    {
        foreach (var (user, _, _) in DerbyWebFactory.Accounts)
        {
            var client = await app.SignInAsync(user);
            var home = await client.GetStringAsync("/");
            var api = await client.GetAsync("/api/models");
            var page = await client.GetAsync("/models");
            if (user is "admin" or "pi")
            {
                Assert.Equal(HttpStatusCode.OK, api.StatusCode);
                Assert.Contains("href=\"/models\"", home);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                var html = await page.Content.ReadAsStringAsync();
                Assert.Equal(1, Html.CountTestId(html, "train-model"));
                Assert.Equal(1, Html.CountTestId(html, "model-list"));
            }
            else
            {
                Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
                Assert.DoesNotContain("href=\"/models\"", home);
                if (page.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.StartsWith("/account/access-denied", page.Headers.Location!.PathAndQuery);
                    page = await client.GetAsync(page.Headers.Location);
                }

                Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
            }
        }
    }

    [Fact]
    public async Task TrainingRequest_OnTheExternalValidationCohort_IsRefusedWithTheReason_AndNeedsTheAntiforgeryHeader()
    {
        var pi = await app.SignInAsync("pi");
        var request = new ModelTrainingRequest(Cohort: "external-validation");

        var noToken = await pi.PostAsJsonAsync("/api/models", request);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Contains("anti-forgery", await noToken.Content.ReadAsStringAsync());

        await DerbyWebFactory.UseAntiforgeryAsync(pi);
        var refused = await pi.PostAsJsonAsync("/api/models", request);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var cohortErrors = problem.GetProperty("errors").GetProperty("cohort").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(cohortErrors, e => e.Contains("training or histology cohorts only") && e.Contains("external-validation"));

        var coordinator = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(coordinator);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.PostAsJsonAsync("/api/models", new ModelTrainingRequest())).StatusCode);
    }

    [Fact]
    public async Task TrainedModel_IsEvaluatedPerCohort_ScoresAPatientReadBySiteScope_AndScoresACohortInTheBackground()
    {
        var (network, cohort, patients) = await WriteStudyAsync(app.Services);
        var pi = await app.SignInAsync("pi");
        await DerbyWebFactory.UseAntiforgeryAsync(pi);

        // Training: requested over the API (202 with the queued version), run by the app's job server.
        var requested = await pi.PostAsJsonAsync("/api/models", new ModelTrainingRequest(NetworkVersion: network, Cohort: cohort, Trees: 40, Seed: 3));
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var queued = (await requested.Content.ReadFromJsonAsync<ModelVersionView>(Json))!;
        Assert.Equal(ModelVersionStatus.Queued, queued.Status);
        Assert.Equal($"/api/models/{queued.Version}", requested.Headers.Location?.OriginalString);
        var model = await WaitAsync(pi, $"/api/models/{queued.Version}", (ModelVersionView m) => m.Status is ModelVersionStatus.Trained or ModelVersionStatus.Failed);
        Assert.True(model.Status == ModelVersionStatus.Trained, $"{model.Status}: {model.Error}");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var service = await scope.ServiceProvider.GetRequiredService<ModelService>().GetAsync(Pi, model.Version);
            Assert.Equal(service.ManifestSha256, model.ManifestSha256);
            Assert.Equal(service.SelectedFactors, model.SelectedFactors);
            Assert.Equal(patients.Count, model.TrainingPatients);
        }

        var coordinator = await app.SignInAsync("zsh-coordinator");
        await DerbyWebFactory.UseAntiforgeryAsync(coordinator);
        var other = await app.SignInAsync("hwmu-coordinator");
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"/api/models/{model.Version}/evaluation")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pi.GetAsync("/api/models/derby-19990101-000000")).StatusCode);

        var activated = await pi.PostAsync($"/api/models/{model.Version}/activate", null);
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.True((await activated.Content.ReadFromJsonAsync<ModelVersionView>(Json))!.IsActive);

        // The figures' data, as the services give it.
        var lasso = await pi.GetFromJsonAsync<LassoCurve>($"/api/models/{model.Version}/lasso", Json);
        var dependence = await pi.GetAsync($"/api/models/{model.Version}/partial-dependence");
        var heatmap = await pi.GetAsync($"/api/models/{model.Version}/heatmap");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var models = scope.ServiceProvider.GetRequiredService<ModelService>();
            var expected = await models.GetLassoAsync(Pi, model.Version);
            Assert.Equal(expected.Lambdas, lasso!.Lambdas);
            Assert.Equal(expected.Lambda1se, lasso.Lambda1se);
            Assert.Equal(HttpStatusCode.OK, dependence.StatusCode);
            Assert.Equal(await models.GetHeatmapAsync(Pi, model.Version) is null ? HttpStatusCode.NotFound : HttpStatusCode.OK, heatmap.StatusCode);
        }

        // One patient scored over the API (PI), then read by everyone who may read the patient.
        var patient = patients[0];
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.PostAsJsonAsync($"/api/patients/{patient}/predictions", new { model = model.Version })).StatusCode);
        await DerbyWebFactory.UseAntiforgeryAsync(other);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/patients/{patient}/predictions", new { model = model.Version })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pi.PostAsJsonAsync($"/api/patients/{Guid.NewGuid()}/predictions", new { model = model.Version })).StatusCode);
        var scored = await pi.PostAsJsonAsync($"/api/patients/{patient}/predictions", new { model = model.Version });
        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        var summary = (await scored.Content.ReadFromJsonAsync<ScoringSummary>(Json))!;
        Assert.Equal(model.Version, summary.ModelVersion);
        Assert.Equal(1, summary.Scored + summary.Unchanged);
        IReadOnlyList<PredictionView> stored;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            stored = await scope.ServiceProvider.GetRequiredService<ScoringService>().PredictionsAsync(Pi, patient);
        }

        var expectedPrediction = Assert.Single(stored);
        foreach (var reader in new[] { pi, coordinator })
        {
            var response = await reader.GetAsync($"/api/patients/{patient}/predictions");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var prediction = Assert.Single((await response.Content.ReadFromJsonAsync<List<PredictionView>>(Json))!);
            Assert.Equal((expectedPrediction.Id, expectedPrediction.ModelVersion, expectedPrediction.Trs, expectedPrediction.PredictedResponder, expectedPrediction.InputsSha256),
                (prediction.Id, prediction.ModelVersion, prediction.Trs, prediction.PredictedResponder, prediction.InputsSha256));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/patients/{patient}/predictions")).StatusCode);
        var patientPage = await coordinator.GetStringAsync($"/patients/{patient}");
        Assert.Equal(1, Html.CountTestId(patientPage, "prediction-row"));
        Assert.Equal(expectedPrediction.Trs.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), Html.TestIdText(patientPage, "prediction-trs"));

        // Table 2: one row per cohort of the database, as the service computes it.
        var evaluation = await pi.GetFromJsonAsync<ModelEvaluation>($"/api/models/{model.Version}/evaluation", Json);
        await AssertEvaluationAsync(model.Version, evaluation!);
        // The model's own training cohort is evaluated on its cross-validated scores, whoever has been scored.
        Assert.Equal(patients.Count, evaluation!.Cohorts.Single(c => c.Cohort == cohort).Evaluated);
        Assert.Contains("cross-validated", evaluation.Cohorts.Single(c => c.Cohort == cohort).Note);

        // The cohort scored by a background job (202 with its id); the evaluation then covers every member.
        Assert.Equal(HttpStatusCode.BadRequest, (await pi.PostAsJsonAsync($"/api/models/{model.Version}/score", new { cohort = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pi.PostAsJsonAsync($"/api/models/{model.Version}/score", new { cohort = "no-such-cohort" })).StatusCode);
        var score = await pi.PostAsJsonAsync($"/api/models/{model.Version}/score", new { cohort });
        Assert.Equal(HttpStatusCode.Accepted, score.StatusCode);
        Assert.False(string.IsNullOrEmpty((await score.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()));
        foreach (var member in patients)
        {
            Assert.NotEmpty(await WaitAsync(pi, $"/api/patients/{member}/predictions", (List<PredictionView> p) => p.Count > 0));
        }

        var after = (await pi.GetFromJsonAsync<ModelEvaluation>($"/api/models/{model.Version}/evaluation", Json))!;
        await AssertEvaluationAsync(model.Version, after);
        var row = after.Cohorts.Single(c => c.Cohort == cohort);
        Assert.NotNull(row.Auc);
        Assert.Equal(patients.Count, row.Members);

        // The page shows the version, its manifest hash, the evaluation and the LASSO curve.
        var page = await pi.GetStringAsync("/models");
        Assert.Contains(model.ManifestSha256![..12], page);
        Assert.Equal(1, Html.CountTestId(page, "evaluation-table"));
        Assert.Equal(after.Cohorts.Count, Html.CountTestId(page, "evaluation-row"));
        Assert.Equal(1, Html.CountTestId(page, "lasso-chart"));
        Assert.Equal(1, Html.CountTestId(page, "score-cohort"));

        // New inputs (the clinical record changed): scoring again stores a new prediction and marks the older one stale.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();
            var clinical = await db.ClinicalRecords.SingleAsync(c => c.PatientId == patient);
            clinical.SuvMax += 5;
            await db.SaveChangesAsync();
        }

        var rescored = (await (await pi.PostAsJsonAsync($"/api/patients/{patient}/predictions", new { model = model.Version })).Content.ReadFromJsonAsync<ScoringSummary>(Json))!;
        Assert.Equal(1, rescored.Scored);
        var both = (await coordinator.GetFromJsonAsync<List<PredictionView>>($"/api/patients/{patient}/predictions", Json))!;
        Assert.Equal(2, both.Count);
        Assert.Equal([false, true], both.Select(p => p.IsStale));
        Assert.Equal(expectedPrediction.Id, both[1].Id);
        Assert.NotEqual(expectedPrediction.InputsSha256, both[0].InputsSha256);
        patientPage = await coordinator.GetStringAsync($"/patients/{patient}");
        Assert.Equal(2, Html.CountTestId(patientPage, "prediction-row"));
        Assert.Equal(1, Html.CountTestId(patientPage, "prediction-stale"));
        Assert.Equal(both[0].ModelVersion, Html.TestIdText(patientPage, "prediction-model"));
    }

    private async Task AssertEvaluationAsync(string version, ModelEvaluation actual)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var expected = await scope.ServiceProvider.GetRequiredService<ScoringService>().EvaluateAsync(Pi, version);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();
        Assert.Equal(await db.Cohorts.CountAsync(), actual.Cohorts.Count);
        Assert.Equal(expected.Cohorts.Select(c => (c.Cohort, c.Members, c.Evaluated, c.Responders, c.Auc?.Auc, c.Auc?.Lower, c.Auc?.Upper, c.Accuracy?.Sensitivity?.Estimate)),
            actual.Cohorts.Select(c => (c.Cohort, c.Members, c.Evaluated, c.Responders, c.Auc?.Auc, c.Auc?.Lower, c.Auc?.Upper, c.Accuracy?.Sensitivity?.Estimate)));
    }

    private static async Task<T> WaitAsync<T>(HttpClient client, string path, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var value = (await client.GetFromJsonAsync<T>(path, Json))!;
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// A study of its own with a training cohort of 30 ZSH patients whose response follows a hidden score carried by
    /// F_img and SUVmax, a trained network row (no checkpoint) and its mixture with every pair's F_img.
    /// </summary>
    internal static async Task<(string Network, string Cohort, List<Guid> Patients)> WriteStudyAsync(IServiceProvider services)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var uid = Convert.ToUInt32(tag, 16);
        await using var scope = services.CreateAsyncScope();
        await using var ctx = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();
        var study = new Derby.Domain.Study { Code = $"MODELS-{tag}", Title = "Model registry web tests" };
        ctx.Studies.Add(study);
        await ctx.SaveChangesAsync();
        var cohort = new Cohort { StudyId = study.Id, Code = $"models-{tag}", Name = "Model test training", Kind = CohortKind.Training };
        ctx.Cohorts.Add(cohort);
        await ctx.SaveChangesAsync();
        var network = new NetworkModel
        {
            Id = Guid.NewGuid(), Version = $"net-models-{tag}", CohortId = cohort.Id, Status = NetworkModelStatus.Trained, SettingsJson = "{}", RequestedBy = "test",
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

        var site = await ctx.Sites.SingleAsync(s => s.Code == "ZSH");
        var random = new Random(11);
        var patients = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            var z = Normal(random);
            // Alternating classes keep both represented whatever the draw; the hidden score still carries the signal.
            var responder = i % 2 == 0 ? z > -0.5 : z > 0.5;
            var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = $"ZSH-M{tag}{i:000}", CreatedUtc = DateTime.UtcNow };
            patients.Add(patient.Id);
            ctx.Patients.Add(patient);
            ctx.CohortMemberships.Add(new CohortMembership { CohortId = cohort.Id, PatientId = patient.Id });
            ctx.Outcomes.Add(new Outcome { PatientId = patient.Id, BestResponse = responder ? RecistResponse.PartialResponse : RecistResponse.ProgressiveDisease, UpdatedUtc = DateTime.UtcNow });
            ctx.ClinicalRecords.Add(new ClinicalRecord
            {
                PatientId = patient.Id, SuvMax = Math.Exp(2.3 + (0.25 * z) + (0.3 * Normal(random))), ClinicalRiskScore = random.Next(0, 5), CeaNgPerMl = Math.Exp(3 + Normal(random)),
                Ca199UPerMl = Math.Exp(3 + Normal(random)), PrimarySite = random.Next(2) == 0 ? PrimarySite.Left : PrimarySite.Right, LiverMetastasisCount = random.Next(1, 9),
                LargestDiameterCm = 2 + (4 * random.NextDouble()), Distribution = LiverDistribution.Bilobar, AgeYears = random.Next(35, 76), Sex = Sex.Male, UpdatedUtc = DateTime.UtcNow,
            });
            var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = $"9.9.{uid}.{i}.1", ReceivedUtc = DateTime.UtcNow };
            var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = $"9.9.{uid}.{i}.2", ReceivedUtc = DateTime.UtcNow };
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
                ctx.PairImageFeatures.Add(new PairImageFeature { MixtureModelId = mixture.Id, ImagePairId = pair.Id, ResponsibilitiesJson = JsonSerializer.Serialize(exp.Select(e => e / exp.Sum())) });
            }
        }

        await ctx.SaveChangesAsync();
        return (network.Version, cohort.Code, patients);
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
