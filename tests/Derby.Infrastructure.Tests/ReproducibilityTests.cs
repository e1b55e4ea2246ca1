using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Learning;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// Same data, same seeds, same results, across installations: one study (the same pseudonyms, clinical records, outcomes,
/// pair sets and network features) is written into two databases, the second with other identifiers and in another order
/// (patients and each patient's lesions reversed). The network's training plan, the mixture, the DERBY forest and every
/// patient's TRS must be the same in both; nothing may depend on GUIDs or on the order rows were written.
/// </summary>
public sealed class ReproducibilityTests : IAsyncLifetime
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());
    private const int FeatureSize = 1024;
    private readonly List<StudyPatient> study = MakeStudy();
    private StudyDatabase first = default!;
    private StudyDatabase second = default!;

    private sealed record StudyLesion(string PairSetSha256, int[] RoiAreas, float[][] Features);

    private sealed record StudyPatient(string Pseudonym, string Cohort, bool Responder, double SuvMax, double Cea, IReadOnlyList<StudyLesion> Lesions);

    public async Task InitializeAsync()
    {
        first = await StudyDatabase.CreateAsync();
        second = await StudyDatabase.CreateAsync();
        await WriteAsync(first, study);
        await WriteAsync(second, [.. Enumerable.Reverse(study).Select(p => p with { Lesions = [.. Enumerable.Reverse(p.Lesions)] })]);
    }

    public async Task DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    /// <summary>
    /// 40 training and 30 external patients, half of them with two lesions. A patient's z sits around +1.5 for responders
    /// and -1.5 for the others; a lesion has its own u; each pair's 1024-d feature is z and u along two fixed directions plus
    /// noise, so the mixture finds clusters and F_img differs from pair to pair. Drawn once, written twice.
    /// </summary>
    private static List<StudyPatient> MakeStudy()
    {
        var random = new Random(5);
        var a = Enumerable.Range(0, FeatureSize).Select(_ => Normal(random)).ToArray();
        var b = Enumerable.Range(0, FeatureSize).Select(_ => Normal(random)).ToArray();
        var patients = new List<StudyPatient>();
        foreach (var (cohort, n) in new[] { ("training", 40), ("external-validation", 30) })
        {
            for (var i = 0; i < n; i++)
            {
                var responder = random.NextDouble() < 0.5;
                var z = (responder ? 1.5 : -1.5) + (0.7 * Normal(random));
                var pseudonym = $"{cohort[..3].ToUpperInvariant()}-{i:000}";
                var lesions = Enumerable.Range(0, i % 2 == 0 ? 2 : 1).Select(l =>
                {
                    var u = Normal(random);
                    var count = random.Next(3, 6);
                    var features = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, FeatureSize)
                        .Select(j => (float)((z * a[j]) + (u * b[j]) + (0.5 * Normal(random)))).ToArray()).ToArray();
                    var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{pseudonym}/{l}")));
                    return new StudyLesion(sha, [.. Enumerable.Range(0, count).Select(_ => random.Next(5, 60))], features);
                }).ToList();
                patients.Add(new StudyPatient(pseudonym, cohort, responder, Math.Exp(2.3 + (0.25 * z) + (0.3 * Normal(random))), Math.Exp(3 + Normal(random)), lesions));
            }
        }

        return patients;
    }

    private static async Task WriteAsync(StudyDatabase db, IReadOnlyList<StudyPatient> patients)
    {
        await using var ctx = db.Context();
        var network = new NetworkModel
        {
            Id = Guid.NewGuid(), Version = "net-test", CohortId = (await ctx.Cohorts.SingleAsync(c => c.Code == "training")).Id, Status = NetworkModelStatus.Trained,
            SettingsJson = "{}", RequestedBy = "test", RequestedUtc = DateTime.UtcNow,
        };
        ctx.NetworkModels.Add(network);
        var site = await ctx.Sites.FirstAsync();
        var artifacts = db.Get<IArtifactStore>();
        foreach (var p in patients)
        {
            var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = p.Pseudonym, CreatedUtc = DateTime.UtcNow };
            ctx.Patients.Add(patient);
            ctx.CohortMemberships.Add(new CohortMembership { CohortId = (await ctx.Cohorts.SingleAsync(c => c.Code == p.Cohort)).Id, PatientId = patient.Id });
            ctx.Outcomes.Add(new Outcome
            {
                PatientId = patient.Id, BestResponse = p.Responder ? RecistResponse.PartialResponse : RecistResponse.ProgressiveDisease, UpdatedUtc = DateTime.UtcNow,
            });
            ctx.ClinicalRecords.Add(new ClinicalRecord
            {
                PatientId = patient.Id, SuvMax = p.SuvMax, ClinicalRiskScore = 2, CeaNgPerMl = p.Cea, Ca199UPerMl = 20, PrimarySite = PrimarySite.Left, LiverMetastasisCount = 3,
                LargestDiameterCm = 4, Distribution = LiverDistribution.Bilobar, AgeYears = 60, Sex = Sex.Male, UpdatedUtc = DateTime.UtcNow,
            });
            var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = $"1.2.{p.Pseudonym}", ReceivedUtc = DateTime.UtcNow };
            var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = $"1.3.{p.Pseudonym}", ReceivedUtc = DateTime.UtcNow };
            ctx.ImagingSeries.AddRange(pet, ct);
            foreach (var l in p.Lesions)
            {
                var lesion = new Lesion
                {
                    Id = Guid.NewGuid(), PatientId = patient.Id, PetSeriesId = pet.Id, SettingsJson = "{}", InputsSha256 = new string('0', 64), Status = LesionStatus.Accepted,
                    RequestedBy = "test", RequestedUtc = DateTime.UtcNow,
                };
                ctx.Lesions.Add(lesion);
                var set = new Domain.PairSet
                {
                    Id = Guid.NewGuid(), LesionId = lesion.Id, CtSeriesId = ct.Id, SettingsJson = "{}", PairCount = l.RoiAreas.Length, Sha256 = l.PairSetSha256, CreatedUtc = DateTime.UtcNow,
                };
                ctx.PairSets.Add(set);
                for (var k = 0; k < l.RoiAreas.Length; k++)
                {
                    ctx.ImagePairs.Add(new ImagePair { PairSetId = set.Id, Index = k, PetSlice = 10 + k, CtSlices = "1,2,3", RoiArea = l.RoiAreas[k] });
                }

                var bytes = new byte[l.Features.Length * FeatureSize * sizeof(float)];
                Buffer.BlockCopy(l.Features.SelectMany(f => f).ToArray(), 0, bytes, 0, bytes.Length);
                var (sha, _) = await artifacts.PutAsync(NetworkService.FeaturesKind, bytes);
                ctx.FeatureSets.Add(new FeatureSet { NetworkModelId = network.Id, PairSetId = set.Id, Sha256 = sha, PairCount = l.RoiAreas.Length, CreatedUtc = DateTime.UtcNow });
            }

            await ctx.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task TheNetworksTrainingPlan_DependsOnTheDataOnly()
    {
        var a = await PlanAsync(first);
        var b = await PlanAsync(second);

        Assert.Equal(32, a.Training.Count);
        Assert.Equal(8, a.Validation.Count);
        Assert.Equal(a.Training.Select(p => (p.Pseudonym, p.Label, string.Join(",", p.PairSets))), b.Training.Select(p => (p.Pseudonym, p.Label, string.Join(",", p.PairSets))));
        Assert.Equal(a.Validation.Select(p => p.Pseudonym), b.Validation.Select(p => p.Pseudonym));
        Assert.All(a.Training.Concat(a.Validation), p => Assert.Equal(p.PairSets.Order(StringComparer.Ordinal), p.PairSets));
    }

    [Fact]
    public async Task TheMixtureTheForestAndEveryTrs_AreTheSame_InBothInstallations()
    {
        var a = await TrainAndScoreAsync(first);
        var b = await TrainAndScoreAsync(second);

        // The study must exercise the orders: F_img varies between the pairs of a patient (a mixture of one component, or
        // one-hot responsibilities shared by a patient's pairs, would make a forest blind to the order of its rows).
        Assert.True(a.K >= 2, $"K = {a.K}");
        Assert.True(a.DistinctFimgWithinAPatient, "every patient's pairs share one F_img");
        Assert.Equal(a.Mixture, b.Mixture);
        Assert.Equal(a.Forest, b.Forest);
        Assert.Equal(30, a.Trs.Count);
        Assert.Equal(a.Trs, b.Trs);
    }

    [Fact]
    public async Task TheMixture_FitsOnlyThePairsAModelReads_NotAnOlderPairSetNorADiscardedLesion()
    {
        // In the second installation one training lesion also has an older pair set (its pairs built before a newer CT
        // arrived) and one training patient has a discarded lesion with pairs, both with features far from the others'.
        await using (var ctx = second.Context())
        {
            var networkId = await ctx.NetworkModels.Select(n => n.Id).SingleAsync();
            var lesions = await ctx.Lesions.Where(l => l.Patient!.Pseudonym == "TRA-000" || l.Patient!.Pseudonym == "TRA-001")
                .Select(l => new { l.Id, l.PatientId, l.PetSeriesId, l.Patient!.Pseudonym, Ct = l.PairSets.Select(p => p.CtSeriesId).First() }).ToListAsync();
            var older = lesions.First(l => l.Pseudonym == "TRA-000");
            var owner = lesions.First(l => l.Pseudonym == "TRA-001");
            var discarded = new Lesion
            {
                Id = Guid.NewGuid(), PatientId = owner.PatientId, PetSeriesId = owner.PetSeriesId, SettingsJson = "{}", InputsSha256 = new string('0', 64),
                Status = LesionStatus.Discarded, RequestedBy = "test", RequestedUtc = DateTime.UtcNow,
            };
            ctx.Lesions.Add(discarded);
            var olderCt = new ImagingSeries
            {
                Id = Guid.NewGuid(), PatientId = older.PatientId, Modality = ImagingModality.Ct, SeriesInstanceUid = "1.3.older", ReceivedUtc = DateTime.UtcNow.AddDays(-31),
            };
            ctx.ImagingSeries.Add(olderCt);
            foreach (var (lesionId, ct, name) in new[] { (older.Id, olderCt.Id, "older"), (discarded.Id, owner.Ct, "discarded") })
            {
                var set = new Domain.PairSet
                {
                    Id = Guid.NewGuid(), LesionId = lesionId, CtSeriesId = ct, SettingsJson = "{}", PairCount = 4,
                    Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))), CreatedUtc = DateTime.UtcNow.AddDays(-30),
                };
                ctx.PairSets.Add(set);
                for (var k = 0; k < 4; k++)
                {
                    ctx.ImagePairs.Add(new ImagePair { PairSetId = set.Id, Index = k, PetSlice = k, CtSlices = "1,2,3", RoiArea = 10 });
                }

                var bytes = new byte[4 * FeatureSize * sizeof(float)];
                Buffer.BlockCopy(Enumerable.Range(0, 4 * FeatureSize).Select(j => 50f + (j % 7)).ToArray(), 0, bytes, 0, bytes.Length);
                var (sha, _) = await second.Get<IArtifactStore>().PutAsync(NetworkService.FeaturesKind, bytes);
                ctx.FeatureSets.Add(new FeatureSet { NetworkModelId = networkId, PairSetId = set.Id, Sha256 = sha, PairCount = 4, CreatedUtc = DateTime.UtcNow });
            }

            await ctx.SaveChangesAsync();
        }

        var a = await FitMixtureAsync(first);
        var b = await FitMixtureAsync(second);

        Assert.Equal(a.TrainingPairs, b.TrainingPairs);
        Assert.Equal(a.ParametersSha256, b.ParametersSha256);
        await using var read = second.Context();
        Assert.Equal(8, await read.PairImageFeatures.CountAsync(f => f.ImagePair!.PairSet!.CreatedUtc < DateTime.UtcNow.AddDays(-1)));
    }

    private static async Task<MixtureModel> FitMixtureAsync(StudyDatabase db)
    {
        await using var ctx = db.Context();
        await db.Get<NetworkService>().FitMixtureAsync(await ctx.NetworkModels.Select(n => n.Id).SingleAsync(), kMax: 4, dimensions: 4);
        return await ctx.MixtureModels.AsNoTracking().SingleAsync();
    }

    private static async Task<(List<PlannedPatient> Training, List<PlannedPatient> Validation)> PlanAsync(StudyDatabase db)
    {
        await using var ctx = db.Context();
        var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == "training");
        return await NetworkService.PlanTrainingAsync(ctx, cohort.Id, 0.2, 42, CancellationToken.None);
    }

    private static async Task<(string Mixture, int K, bool DistinctFimgWithinAPatient, string Forest, Dictionary<string, double> Trs)> TrainAndScoreAsync(StudyDatabase db)
    {
        Guid networkId;
        await using (var ctx = db.Context())
        {
            networkId = await ctx.NetworkModels.Select(n => n.Id).SingleAsync();
        }

        await db.Get<NetworkService>().FitMixtureAsync(networkId, kMax: 4, dimensions: 4);
        var models = db.Get<ModelService>();
        var requested = await models.RequestTrainingAsync(Pi, new ModelTrainingRequest(Trees: 60, Seed: 3));
        await models.RunTrainingAsync(requested.Id);
        var model = await models.GetAsync(Pi, requested.Version);
        Assert.True(model.Status == ModelVersionStatus.Trained, $"{model.Status}: {model.Error}");
        await db.Get<ScoringService>().ScoreCohortAsync(model.Version, "external-validation", "test");

        await using var read = db.Context();
        var mixture = await read.MixtureModels.SingleAsync();
        var fimg = await read.PairImageFeatures.Where(f => f.MixtureModelId == mixture.Id)
            .Select(f => new { f.ImagePair!.PairSet!.Lesion!.PatientId, f.ResponsibilitiesJson }).ToListAsync();
        var distinct = fimg.GroupBy(f => f.PatientId).Any(g => g.Select(f => f.ResponsibilitiesJson).Distinct().Count() > 1);
        var row = await read.ModelVersions.SingleAsync(m => m.Version == model.Version);
        var manifest = JsonSerializer.Deserialize<ModelManifest>(row.ManifestJson!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var trs = await read.Predictions.Where(p => p.ModelVersionId == row.Id).Select(p => new { p.Patient!.Pseudonym, p.Trs }).ToDictionaryAsync(p => p.Pseudonym, p => p.Trs);
        return (mixture.ParametersSha256, mixture.K, distinct, manifest.Forest.Sha256, trs);
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
