using System.Text.Json;
using System.Text.Json.Serialization;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Models;
using Derby.Application.Patients;
using Derby.Application.Reviews;
using Derby.Application.Segmentation;
using Derby.Application.Users;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The reviewer workspace in the real app: a DERBY model trained by the app's job server on a study of its own
/// (ModelApiTests' writer), four patients scored, then the whole review workflow over the API and the pages, as the
/// roles that use it: the queue and its filters, a prediction's make-up against the stored prediction, its inputs
/// re-verified against the stores (and found altered or missing after tampering with the files), agreement, a disagreement
/// adjudicated by a second reviewer, and a "needs site correction" query answered by the site after correcting the data,
/// which rescores the patient and sends the case back to the queue. Every step is in the audit trail of the site.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ReviewWorkflowTests(DerbyWebFactory app)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

    [Fact]
    public async Task ReviewWorkflow_QueueMakeUpVerificationVerdictsAdjudicationAndTheSiteQueryLoop()
    {
        var (version, patients) = await TrainAndScoreAsync(4);
        await AddSecondReviewerAsync();
        var reviewer = await SignedInAsync("reviewer");
        var second = await SignedInAsync("reviewer-2");
        var coordinator = await SignedInAsync("zsh-coordinator");
        var otherSite = await SignedInAsync("hwmu-coordinator");
        var pi = await SignedInAsync("pi");
        Dictionary<Guid, Prediction> stored;
        await using (var db = await ContextAsync())
        {
            stored = await db.Predictions.AsNoTracking().Where(p => patients.Contains(p.PatientId)).ToDictionaryAsync(p => p.PatientId);
        }

        // The queue: every prediction of the version, pending; filters by site, cohort and status; only for reviewers, PIs and admins.
        var queue = await GetAsync<ReviewQueuePage>(reviewer, $"/api/reviews?model={version}");
        Assert.Equal(4, queue.Total);
        Assert.All(queue.Items, i => Assert.Equal(ReviewStatus.Pending, i.Status));
        Assert.Equal(stored.Values.Select(p => p.Id).Order(), queue.Items.Select(i => i.PredictionId).Order());
        Assert.Equal(4, (await GetAsync<ReviewQueuePage>(pi, $"/api/reviews?model={version}&site=ZSH&status=pending")).Total);
        Assert.Equal(0, (await GetAsync<ReviewQueuePage>(pi, $"/api/reviews?model={version}&site=HWMU")).Total);
        Assert.Equal(0, (await GetAsync<ReviewQueuePage>(pi, $"/api/reviews?model={version}&cohort=training")).Total);
        Assert.Equal(HttpStatusCode.BadRequest, (await reviewer.GetAsync("/api/reviews?status=maybe")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/api/reviews")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"/api/reviews/{stored[patients[0]].Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync($"/api/reviews/{Guid.NewGuid()}")).StatusCode);

        // A prediction's make-up is the stored prediction's: pairs, ROI areas and probabilities; weights are the areas'
        // shares and the weighted contributions add up to the stored TRS; the model's provenance is its frozen manifest.
        var first = stored[patients[0]];
        var review = await GetAsync<PredictionReview>(reviewer, $"/api/reviews/{first.Id}");
        var scores = JsonSerializer.Deserialize<List<PairScore>>(first.PairScoresJson!, Json)!;
        Assert.Equal(scores.Select(s => (s.ImagePairId, s.RoiArea, s.Probability)), review.Pairs.Select(p => (p.ImagePairId, p.RoiArea, p.Probability)));
        var area = scores.Sum(s => (double)s.RoiArea);
        Assert.Equal(scores.Select(s => s.RoiArea / area), review.Pairs.Select(p => p.Weight));
        Assert.Equal(first.Trs, review.Pairs.Sum(p => p.Contribution), 12);
        Assert.Equal(first.Trs, review.Trs);
        Assert.All(review.Pairs, p => Assert.NotNull(p.LesionId));
        var features = JsonSerializer.Deserialize<PredictionFeatures>(first.FeaturesJson!, Json)!;
        Assert.Equal(features.Columns.Where(c => !c.StartsWith("f_img_", StringComparison.Ordinal)), review.Inputs.Select(i => i.Name));
        Assert.Equal(features.Rows[0].Length - review.Inputs.Count, review.Pairs[0].Fimg.Count);
        await using (var db = await ContextAsync())
        {
            var model = await db.ModelVersions.AsNoTracking().SingleAsync(m => m.Version == version);
            Assert.Equal(model.ArtefactSha256, review.Model.ManifestSha256);
            Assert.Null(review.Model.ManifestProblem);
        }

        Assert.Equal(ReviewStatus.Pending, review.Case.Status);
        Assert.True(review.You.CanAct);
        Assert.False((await GetAsync<PredictionReview>(pi, $"/api/reviews/{first.Id}")).You.CanAct);

        // Verification: the patient's files (DICOM instances and its pair set) read back intact; then one DICOM file altered
        // and the pair set removed from the stores are found, by name.
        var verification = await GetAsync<InputVerification>(reviewer, $"/api/reviews/{first.Id}/verification");
        Assert.True(verification.StoreIntact, string.Join("; ", verification.Store.SelectMany(s => s.Problems)));
        Assert.True(verification.InputsCurrent);
        Assert.Equal(["clinical", "f_img", "histology", "instances", "pair_sets"], verification.Inputs.Select(i => i.Input));
        Assert.Equal(6, verification.Store.Single(s => s.What == "DICOM instances").Intact);
        var (dicomPath, sopUid, pairPath) = await StoredFilesAsync(patients[0]);
        await File.WriteAllTextAsync(dicomPath, "altered");
        File.Delete(pairPath);
        verification = await GetAsync<InputVerification>(reviewer, $"/api/reviews/{first.Id}/verification");
        Assert.False(verification.StoreIntact);
        var instances = verification.Store.Single(s => s.What == "DICOM instances");
        Assert.Equal((6, 5, 0, 1), (instances.Checked, instances.Intact, instances.Missing, instances.Altered));
        Assert.Contains(instances.Problems, p => p.Contains(sopUid));
        Assert.Equal(1, verification.Store.Single(s => s.What == "2.5D pair sets").Missing);

        // Agreement closes the case.
        await DerbyWebFactory.UseAntiforgeryAsync(reviewer);
        await DerbyWebFactory.UseAntiforgeryAsync(second);
        var agreed = await PostAsync<ReviewCaseView>(reviewer, $"/api/reviews/{stored[patients[1]].Id}/verdicts", new VerdictInput(ReviewStatus.Agreed, null));
        Assert.Equal((ReviewStatus.Agreed, false, 1), (agreed.Status, agreed.AwaitingAdjudication, agreed.Verdicts));
        var late = await second.PostAsJsonAsync($"/api/reviews/{stored[patients[1]].Id}/verdicts", new VerdictInput(ReviewStatus.Disagreed, "no"), Json);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("Decided: agreed", await late.Content.ReadAsStringAsync());

        // A disagreement needs its reason, waits for a second reviewer, and is decided by the second one.
        var target = stored[patients[2]].Id;
        var noReason = await reviewer.PostAsJsonAsync($"/api/reviews/{target}/verdicts", new VerdictInput(ReviewStatus.Disagreed, "   "), Json);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("Say why you disagree", await noReason.Content.ReadAsStringAsync());
        var bidi = await reviewer.PostAsJsonAsync($"/api/reviews/{target}/verdicts", new VerdictInput(ReviewStatus.Disagreed, "fine\u202Eenif"), Json);
        Assert.Contains("bidirectional override", await bidi.Content.ReadAsStringAsync());
        var disagreed = await PostAsync<ReviewCaseView>(reviewer, $"/api/reviews/{target}/verdicts",
            new VerdictInput(ReviewStatus.Disagreed, "The largest lesion's box misses its necrotic core.", Guid.Empty));
        Assert.Equal((ReviewStatus.Disagreed, true, "reviewer"), (disagreed.Status, disagreed.AwaitingAdjudication, disagreed.DisagreedBy));
        var again = await reviewer.PostAsJsonAsync($"/api/reviews/{target}/verdicts", new VerdictInput(ReviewStatus.Agreed, null), Json);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("second reviewer", await again.Content.ReadAsStringAsync());
        var outdated = await second.PostAsJsonAsync($"/api/reviews/{target}/verdicts", new VerdictInput(ReviewStatus.Agreed, null, Guid.NewGuid()), Json);
        Assert.Equal(HttpStatusCode.Conflict, outdated.StatusCode);
        Assert.True((await GetAsync<PredictionReview>(second, $"/api/reviews/{target}")).You.IsAdjudication);
        Assert.Equal(1, (await GetAsync<ReviewQueuePage>(reviewer, $"/api/reviews?model={version}&awaitingAdjudication=true")).Total);
        var adjudicated = await PostAsync<ReviewCaseView>(second, $"/api/reviews/{target}/verdicts",
            new VerdictInput(ReviewStatus.Disagreed, "Confirmed: the core is outside the mask.", disagreed.Version));
        Assert.Equal((ReviewStatus.Disagreed, false, "reviewer-2"), (adjudicated.Status, adjudicated.AwaitingAdjudication, adjudicated.AdjudicatedBy));
        var history = await GetAsync<PredictionReview>(reviewer, $"/api/reviews/{target}");
        Assert.Equal([("reviewer", false), ("reviewer-2", true)], history.Verdicts.Select(v => (v.Reviewer, v.IsAdjudication)));
        Assert.False(history.You.CanAct);

        // "Needs site correction": a query on the site's task list, which only that site's coordinators answer.
        var queried = stored[patients[3]];
        var sent = await PostAsync<ReviewCaseView>(reviewer, $"/api/reviews/{queried.Id}/verdicts",
            new VerdictInput(ReviewStatus.NeedsSiteCorrection, "SUVmax looks like the wrong lesion's: please check it against the PET."));
        Assert.Equal(ReviewStatus.NeedsSiteCorrection, sent.Status);
        var task = Assert.Single(await GetAsync<List<SiteQueryView>>(coordinator, "/api/tasks"), t => t.PredictionId == queried.Id);
        Assert.Equal((SiteQueryStatus.Open, "reviewer", "ZSH"), (task.Status, task.RaisedBy, task.Site));
        Assert.Empty(await GetAsync<List<SiteQueryView>>(otherSite, "/api/tasks"));
        var waiting = await second.PostAsJsonAsync($"/api/reviews/{queried.Id}/verdicts", new VerdictInput(ReviewStatus.Agreed, null), Json);
        Assert.Equal(HttpStatusCode.Conflict, waiting.StatusCode);
        Assert.Contains("Waiting for the site's answer", await waiting.Content.ReadAsStringAsync());
        await DerbyWebFactory.UseAntiforgeryAsync(otherSite);
        await DerbyWebFactory.UseAntiforgeryAsync(coordinator);
        Assert.Equal(HttpStatusCode.NotFound, (await otherSite.PostAsJsonAsync($"/api/tasks/{task.Id}/answer", new QueryAnswerInput("done"), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostAsJsonAsync($"/api/tasks/{task.Id}/answer", new QueryAnswerInput("done"), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await coordinator.PostAsJsonAsync($"/api/tasks/{task.Id}/answer", new QueryAnswerInput(""), Json)).StatusCode);
        var coordinatorTasks = await coordinator.GetStringAsync("/tasks");
        Assert.Contains(task.Question, WebUtility.HtmlDecode(coordinatorTasks));

        // The coordinator corrects the record through the API (the prediction goes stale) and answers: the case is back in
        // the queue, and the job server scores the patient again with the same version.
        ClinicalInput corrected;
        await using (var db = await ContextAsync())
        {
            corrected = ClinicalInput.From(await db.ClinicalRecords.AsNoTracking().SingleAsync(c => c.PatientId == patients[3]));
        }

        corrected.SuvMax += 4;
        corrected.LiverMetastasisCount = Math.Max(2, corrected.LiverMetastasisCount ?? 2); // the test study draws 1-8 metastases, all bilobar
        var put = await coordinator.PutAsJsonAsync($"/api/patients/{patients[3]}/clinical", corrected, Json);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var answered = await PostAsync<SiteQueryView>(coordinator, $"/api/tasks/{task.Id}/answer", new QueryAnswerInput("SUVmax corrected from the PET report."));
        Assert.Equal((SiteQueryStatus.Answered, "zsh-coordinator", true), (answered.Status, answered.AnsweredBy, answered.PredictionIsStale));
        Assert.Equal(HttpStatusCode.Conflict, (await coordinator.PostAsJsonAsync($"/api/tasks/{task.Id}/answer", new QueryAnswerInput("again"), Json)).StatusCode);
        var old = await GetAsync<PredictionReview>(reviewer, $"/api/reviews/{queried.Id}");
        Assert.Equal(ReviewStatus.Pending, old.Case.Status);
        Assert.True(old.IsStale);
        var rescored = await WaitAsync(async () => (await GetAsync<ReviewQueuePage>(reviewer, $"/api/reviews?model={version}&status=pending")).Items
            .SingleOrDefault(i => i.PatientId == patients[3]));
        Assert.NotEqual(queried.Id, rescored.PredictionId);
        Assert.False(rescored.IsStale);
        var current = await GetAsync<PredictionReview>(reviewer, $"/api/reviews/{rescored.PredictionId}");
        Assert.NotEqual(old.InputHashes["clinical"], current.InputHashes["clinical"]);
        Assert.Equal(old.InputHashes["f_img"], current.InputHashes["f_img"]);
        Assert.Equal(answered.Answer, Assert.Single(current.EarlierQueries).Answer);
        Assert.Equal(rescored.PredictionId, (await GetAsync<PredictionReview>(reviewer, $"/api/reviews/{queried.Id}")).CurrentPredictionId);
        var stale = await reviewer.PostAsJsonAsync($"/api/reviews/{queried.Id}/verdicts", new VerdictInput(ReviewStatus.Agreed, null), Json);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("stale", await stale.Content.ReadAsStringAsync());
        Assert.Equal(ReviewStatus.Agreed, (await PostAsync<ReviewCaseView>(reviewer, $"/api/reviews/{rescored.PredictionId}/verdicts",
            new VerdictInput(ReviewStatus.Agreed, "Agreed after the site's correction."))).Status);

        // Every step is an audit event of the patient's site: the site's coordinators see them, another site's do not.
        var ours = new HashSet<string>(stored.Values.Select(p => p.Id.ToString()).Append(rescored.PredictionId.ToString()));
        var trail = (await GetAsync<Derby.Application.Audit.AuditPage>(pi, "/api/audit?action=review&pageSize=500")).Events.Where(e => ours.Contains(e.EntityId!)).ToList();
        Assert.Equal(
            ["review.adjudicated", "review.query-answered", "review.query-raised", "review.verdict", "review.verdict", "review.verdict", "review.verdict"],
            trail.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Equal("review.verdict", trail[0].Action);
        Assert.All(trail, e => Assert.Equal("ZSH", e.Site));
        var siteTrail = (await GetAsync<Derby.Application.Audit.AuditPage>(coordinator, "/api/audit?action=review&pageSize=500")).Events.Select(e => e.Id).ToHashSet();
        Assert.Subset(siteTrail, trail.Select(e => e.Id).ToHashSet());
        Assert.Equal(0, (await GetAsync<Derby.Application.Audit.AuditPage>(otherSite, "/api/audit?action=review")).Total);

        // The pages: the queue lists the predictions with links, the prediction page shows its pairs and the verdict form.
        var queuePage = await reviewer.GetStringAsync($"/reviews");
        Assert.True(Html.CountTestId(queuePage, "review-item") >= 4);
        var predictionPage = await second.GetStringAsync($"/reviews/{rescored.PredictionId}");
        Assert.Equal(current.Pairs.Count, Html.CountTestId(predictionPage, "review-pair"));
        Assert.Equal(1, Html.CountTestId(predictionPage, "review-closed"));
        Assert.Equal(1, Html.CountTestId(predictionPage, "review-model"));
        var open = await reviewer.GetStringAsync($"/reviews/{stored[patients[0]].Id}");
        Assert.Equal(1, Html.CountTestId(open, "review-submit"));
        var denied = await coordinator.GetAsync("/reviews");
        Assert.True(denied.StatusCode is HttpStatusCode.Forbidden || denied.Headers.Location?.OriginalString.Contains("access-denied") == true);
    }

    [Fact]
    public async Task TwoReviewersGivingTheFirstVerdictAtOnce_OneIsRecorded_TheOtherIsToldToReload()
    {
        var (_, patients) = await TrainAndScoreAsync(1);
        Guid prediction;
        await using (var db = await ContextAsync())
        {
            prediction = await db.Predictions.Where(p => p.PatientId == patients[0]).Select(p => p.Id).SingleAsync();
        }

        var results = await Task.WhenAll(new[] { "reviewer", "reviewer-b" }.Select(async name =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<ReviewService>();
            var who = new AccessScope(name, new HashSet<string> { DerbyRoles.Reviewer }, new HashSet<int>());
            try
            {
                await service.RecordVerdictAsync(who, prediction, new VerdictInput(ReviewStatus.Agreed, null));
                return (string?)null;
            }
            catch (ConflictException ex)
            {
                return ex.Message;
            }
        }));

        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r is not null);
        await using (var db = await ContextAsync())
        {
            Assert.Equal(1, await db.Reviews.CountAsync(r => r.PredictionId == prediction));
            var reviewCase = await db.ReviewCases.SingleAsync(c => c.PredictionId == prediction);
            Assert.Equal(1, reviewCase.Verdicts);

            // A verdict is append-only: the context refuses to change one.
            var verdict = await db.Reviews.SingleAsync(r => r.PredictionId == prediction);
            verdict.Comment = "rewritten";
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            Assert.Contains("append-only", refused.Message);
        }
    }

    /// <summary>
    /// ModelApiTests' study (30 ZSH patients, F_img and clinical records), the first patient given real stored files (six
    /// DICOM instances and its pair set in the stores), a DERBY version trained by the job server and the first
    /// <paramref name="count"/> patients scored.
    /// </summary>
    private async Task<(string Version, List<Guid> Patients)> TrainAndScoreAsync(int count)
    {
        var (network, cohort, patients) = await ModelApiTests.WriteStudyAsync(app.Services);
        await GiveStoredFilesAsync(patients[0]);
        string version;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var models = scope.ServiceProvider.GetRequiredService<ModelService>();
            version = (await models.RequestTrainingAsync(Pi, new ModelTrainingRequest(NetworkVersion: network, Cohort: cohort, Trees: 30, Seed: 5))).Version;
        }

        var trained = await WaitAsync(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var model = await scope.ServiceProvider.GetRequiredService<ModelService>().GetAsync(Pi, version);
            return model.Status is ModelVersionStatus.Trained or ModelVersionStatus.Failed ? model : null;
        });
        Assert.True(trained.Status == ModelVersionStatus.Trained, trained.Error);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var summary = await scope.ServiceProvider.GetRequiredService<ScoringService>().ScoreAsync(version, patients.Take(count).ToList(), "pi");
            Assert.Equal(count, summary.Scored);
        }

        return (version, patients);
    }

    /// <summary>Stores three PET and three CT "instances" (bytes in the content-addressed DICOM store) and the pair set's file for the patient.</summary>
    private async Task GiveStoredFilesAsync(Guid patient)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var dicom = scope.ServiceProvider.GetRequiredService<IDicomStore>();
        var artifacts = scope.ServiceProvider.GetRequiredService<IArtifactStore>();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();
        var series = await db.ImagingSeries.Where(s => s.PatientId == patient).ToListAsync();
        var file = Path.Combine(app.DataDirectory, $"instance-{Guid.NewGuid():N}.bin");
        foreach (var s in series)
        {
            for (var i = 0; i < 3; i++)
            {
                await File.WriteAllTextAsync(file, $"{s.SeriesInstanceUid} slice {i}");
                var (sha, size) = await dicom.PutAsync(file);
                db.ImagingInstances.Add(new ImagingInstance { SeriesId = s.Id, SopInstanceUid = $"{s.SeriesInstanceUid}.{i}", Sha256 = sha, SizeBytes = size, SliceIndex = i });
            }
        }

        File.Delete(file);
        var set = await db.PairSets.SingleAsync(p => p.Lesion!.PatientId == patient);
        set.Sha256 = (await artifacts.PutAsync(LesionService.PairsKind, System.Text.Encoding.UTF8.GetBytes($"pairs of {patient}"))).Sha256;
        await db.SaveChangesAsync();
    }

    /// <summary>The path of one of the patient's stored DICOM files (with its SOP instance UID) and of its pair set's file.</summary>
    private async Task<(string Dicom, string SopUid, string Pairs)> StoredFilesAsync(Guid patient)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();
        var instance = await db.ImagingInstances.Where(i => i.Series!.PatientId == patient).OrderBy(i => i.SopInstanceUid).FirstAsync();
        var set = await db.PairSets.SingleAsync(p => p.Lesion!.PatientId == patient);
        return (scope.ServiceProvider.GetRequiredService<IDicomStore>().PathOf(instance.Sha256), instance.SopInstanceUid,
            scope.ServiceProvider.GetRequiredService<IArtifactStore>().PathOf(LesionService.PairsKind, set.Sha256));
    }

    private async Task AddSecondReviewerAsync()
    {
        if (app.Passwords.ContainsKey("reviewer-2"))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        app.Passwords["reviewer-2"] = await scope.ServiceProvider.GetRequiredService<IUserAdministration>().CreateAsync(AccessScope.System, "reviewer-2", DerbyRoles.Reviewer, []);
    }

    private async Task<HttpClient> SignedInAsync(string user) => await app.SignInAsync(user);

    private async Task<DerbyDbContext> ContextAsync() =>
        await app.Services.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();

    private static async Task<T> GetAsync<T>(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private static async Task<T> PostAsync<T>(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body, Json);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> poll)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            if (await poll() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the job server");
            await Task.Delay(250);
        }
    }
}
