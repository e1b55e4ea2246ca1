using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Learning;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// Who may train, on what, and what a request records: real SQLite, no LibTorch (the service only loads it in the jobs).
/// Patients, outcomes and accepted lesions with pair sets are written directly; the pair files are never read here.
/// </summary>
public sealed class NetworkServiceTests : IAsyncLifetime
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());
    private static readonly AccessScope Admin = new("admin", new HashSet<string> { DerbyRoles.Admin }, new HashSet<int>());
    private static readonly TrainingRequest Small = new(Epochs: 2, CropSize: 32, Device: "cpu");
    private StudyDatabase db = default!;

    public async Task InitializeAsync() => db = await StudyDatabase.CreateAsync();

    public async Task DisposeAsync() => await db.DisposeAsync();

    private NetworkService Service => db.Get<NetworkService>();

    /// <summary>Adds patients to a cohort: each with an outcome and one accepted lesion with a pair set of 3 pairs.</summary>
    private async Task AddLabelledPatientsAsync(string cohortCode, params RecistResponse[] responses)
    {
        await using var ctx = db.Context();
        var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == cohortCode);
        var site = await ctx.Sites.FirstAsync();
        foreach (var response in responses)
        {
            var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = $"T-{Guid.NewGuid():N}"[..12], CreatedUtc = DateTime.UtcNow };
            ctx.Patients.Add(patient);
            ctx.CohortMemberships.Add(new CohortMembership { CohortId = cohort.Id, PatientId = patient.Id });
            ctx.Outcomes.Add(new Outcome { PatientId = patient.Id, BestResponse = response, UpdatedUtc = DateTime.UtcNow });
            var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = "1.2." + Random.Shared.Next(), ReceivedUtc = DateTime.UtcNow };
            var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = "1.3." + Random.Shared.Next(), ReceivedUtc = DateTime.UtcNow };
            ctx.ImagingSeries.AddRange(pet, ct);
            var lesion = new Lesion
            {
                Id = Guid.NewGuid(), PatientId = patient.Id, PetSeriesId = pet.Id, SettingsJson = "{}", InputsSha256 = new string('0', 64),
                Status = LesionStatus.Accepted, RequestedBy = "test", RequestedUtc = DateTime.UtcNow,
            };
            ctx.Lesions.Add(lesion);
            ctx.PairSets.Add(new Domain.PairSet { Id = Guid.NewGuid(), LesionId = lesion.Id, CtSeriesId = ct.Id, SettingsJson = "{}", PairCount = 3, Sha256 = new string('1', 64), CreatedUtc = DateTime.UtcNow });
        }

        await ctx.SaveChangesAsync();
    }

    private static RecistResponse[] Mixed(int n) =>
        Enumerable.Range(0, n).Select(i => i % 2 == 0 ? RecistResponse.PartialResponse : RecistResponse.ProgressiveDisease).ToArray();

    [Fact]
    public async Task RequestTraining_IsForbidden_ForACoordinatorOrReviewer()
    {
        await AddLabelledPatientsAsync("training", Mixed(6));
        var coordinator = new AccessScope("coord", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { 1 });
        var reviewer = new AccessScope("rev", new HashSet<string> { DerbyRoles.Reviewer }, new HashSet<int>());

        await Assert.ThrowsAsync<ForbiddenException>(() => Service.RequestTrainingAsync(coordinator, "training", Small));
        await Assert.ThrowsAsync<ForbiddenException>(() => Service.RequestTrainingAsync(reviewer, "training", Small));
        await Assert.ThrowsAsync<ForbiddenException>(() => Service.ListAsync(coordinator));
        Assert.Empty(db.Jobs.Trainings);
    }

    [Fact]
    public async Task RequestTraining_IsRefused_ForACohortThatIsNotATrainingCohort()
    {
        await AddLabelledPatientsAsync("internal-validation", Mixed(6));

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestTrainingAsync(Pi, "internal-validation", Small));

        Assert.Contains(ex.Errors, e => e.Field == "cohort" && e.Message.Contains("InternalValidation") && e.Message.Contains("Training cohort"));
        Assert.Empty(db.Jobs.Trainings);
    }

    [Fact]
    public async Task RequestTraining_IsRefused_WithTooFewLabelledPatientsWithPairs()
    {
        await AddLabelledPatientsAsync("training", Mixed(3));
        await using (var ctx = db.Context())
        {
            // A fourth patient with pairs but no outcome does not count.
            var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == "training");
            var unlabelled = await ctx.Outcomes.FirstAsync();
            ctx.Outcomes.Remove(unlabelled);
            await ctx.SaveChangesAsync();
        }

        await AddLabelledPatientsAsync("training", RecistResponse.CompleteResponse);

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestTrainingAsync(Pi, "training", Small));

        Assert.Contains(ex.Errors, e => e.Field == "cohort" && e.Message.Contains("has 3 patient(s)") && e.Message.Contains($"at least {NetworkService.MinimumPatients}"));
    }

    [Fact]
    public async Task RequestTraining_IsRefused_WithOneResponseClassOnly()
    {
        await AddLabelledPatientsAsync("training", RecistResponse.PartialResponse, RecistResponse.CompleteResponse, RecistResponse.PartialResponse, RecistResponse.CompleteResponse);

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestTrainingAsync(Admin, "training", Small));

        Assert.Contains(ex.Errors, e => e.Field == "cohort" && e.Message.Contains("one response class"));
    }

    [Fact]
    public async Task RequestTraining_ValidatesTheSettings_AndAnUnknownCohort()
    {
        await AddLabelledPatientsAsync("training", Mixed(6));

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Service.RequestTrainingAsync(Pi, "training", new TrainingRequest(Epochs: 0, BatchSize: 1, CropSize: 8, Device: "tpu", Patience: 0, ValidationFraction: 0.9, Field: 3, Auxiliary: -1)));
        var unknown = await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestTrainingAsync(Pi, "nope", Small));

        Assert.Equal(["epochs", "batchSize", "cropSize", "field", "auxiliary", "patience", "validationFraction", "device"], ex.Errors.Select(e => e.Field));
        Assert.Contains(unknown.Errors, e => e.Field == "cohort" && e.Message.Contains("nope"));
    }

    [Fact]
    public async Task RequestTraining_ByAPi_RecordsAQueuedModel_AndTheSameRequestGivesItBack()
    {
        await AddLabelledPatientsAsync("training", Mixed(6));

        var first = await Service.RequestTrainingAsync(Pi, "training", Small);
        var again = await Service.RequestTrainingAsync(Pi, "training", Small);
        var other = await Service.RequestTrainingAsync(Admin, "training", Small with { Seed = 7 });

        Assert.Equal(NetworkModelStatus.Queued, first.Status);
        Assert.Matches(@"^net-\d{8}-\d{6}(-\d+)?$", first.Version);
        Assert.Equal("training", first.CohortCode);
        Assert.Equal(2, first.TotalEpochs);
        Assert.Equal(Small, first.Settings);
        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.NotEqual(first.Version, other.Version);
        Assert.Equal([first.Id, other.Id], db.Jobs.Trainings);
        await using var ctx = db.Context();
        Assert.Equal(2, await ctx.AuditEvents.CountAsync(a => a.Action == "network.requested"));
        Assert.Equal(2, (await Service.ListAsync(Pi)).Count);
    }

    [Fact]
    public async Task ExtractionAndMixture_AreRefused_BeforeTheNetworkIsTrained()
    {
        await AddLabelledPatientsAsync("training", Mixed(6));
        var model = await Service.RequestTrainingAsync(Pi, "training", Small);

        await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestExtractionAsync(Pi, model.Id));
        await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestMixtureAsync(Pi, model.Id));
        await Assert.ThrowsAsync<ValidationFailedException>(() => Service.RequestMixtureAsync(Pi, model.Id, kMax: 0));
        Assert.Empty(db.Jobs.Extractions);
        Assert.Empty(db.Jobs.Mixtures);
    }

    [Fact]
    public void SplitByPatient_IsStratifiedSeededAndDisjoint()
    {
        var labels = Enumerable.Range(0, 20).ToDictionary(i => $"P-{i:00}", i => i < 8 ? 1 : 0);

        var (train, valid) = NetworkService.SplitByPatient(labels, 0.2, 42);
        var (train2, valid2) = NetworkService.SplitByPatient(labels, 0.2, 42);

        Assert.Equal(20, train.Count + valid.Count);
        Assert.Empty(train.Intersect(valid));
        Assert.Equal(2, valid.Count(v => labels[v] == 1));
        Assert.Equal(2, valid.Count(v => labels[v] == 0));
        Assert.Equal(valid, valid2);
        Assert.Equal(train, train2);

        // The order the patients come in does not matter: the split is the patients' and the seed's.
        var reversed = labels.Reverse().ToDictionary();
        var (train3, valid3) = NetworkService.SplitByPatient(reversed, 0.2, 42);
        Assert.Equal(valid, valid3);
        Assert.Equal(train, train3);
    }
}
