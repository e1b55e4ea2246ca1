using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Learning;
using Derby.Domain;
using Derby.Learning.Forest;
using Derby.Statistics;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Models;

/// <summary>
/// Scoring with a frozen model version and the evaluation of its scores. A prediction is stored once per (patient,
/// model version, inputs): scoring unchanged inputs again gives the stored one back; new inputs give a new prediction
/// and mark the older ones of that patient and version stale (never overwritten).
/// </summary>
public sealed class ScoringService(IDerbyDbContextFactory dbFactory, IBackgroundJobs jobs, IClock clock, ModelService models, NetworkService networks)
{
    private static readonly JsonSerializerOptions Json = ModelService.Json;

    /// <summary>Queues the scoring of a cohort's members with a model version (or the active one of a kind: "derby", "derby-plus").</summary>
    /// <exception cref="ForbiddenException">Not an administrator or principal investigator.</exception>
    /// <exception cref="NotFoundException">No such version or cohort.</exception>
    public async Task<string> RequestCohortScoringAsync(AccessScope scope, string version, string cohortCode, CancellationToken cancellationToken = default)
    {
        ModelService.RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await ResolveAsync(db, version, cancellationToken);
        if (!await db.Cohorts.AnyAsync(c => c.Code == cohortCode, cancellationToken))
        {
            throw new NotFoundException($"No cohort with code '{cohortCode}'");
        }

        db.AuditEvents.Add(ModelService.Audit(scope.UserName, clock.UtcNow, "model.scoring-requested", model.Id, new { model.Version, cohort = cohortCode }));
        await db.SaveChangesAsync(cancellationToken);
        return jobs.EnqueueScoring(model.Id, cohortCode);
    }

    /// <summary>Scores every member of a cohort (the job and the command line).</summary>
    public async Task<ScoringSummary> ScoreCohortAsync(string version, string cohortCode, string requestedBy, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var cohort = await db.Cohorts.AsNoTracking().SingleOrDefaultAsync(c => c.Code == cohortCode, cancellationToken)
            ?? throw new NotFoundException($"No cohort with code '{cohortCode}'");
        var members = await db.CohortMemberships.AsNoTracking().Where(m => m.CohortId == cohort.Id).Select(m => m.PatientId).ToListAsync(cancellationToken);
        return await ScoreAsync(version, members, requestedBy, progress, cancellationToken);
    }

    /// <summary>Scores one patient, as whoever may manage models.</summary>
    public async Task<ScoringSummary> ScorePatientAsync(AccessScope scope, string version, Guid patientId, CancellationToken cancellationToken = default)
    {
        ModelService.RequireModels(scope);
        return await ScoreAsync(version, [patientId], scope.UserName, null, cancellationToken);
    }

    /// <summary>Scores the given patients with a version (name, or "derby" / "derby-plus" for the active one).</summary>
    public async Task<ScoringSummary> ScoreAsync(string version, IReadOnlyCollection<Guid> patientIds, string requestedBy, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var row = await ResolveAsync(db, version, cancellationToken);
        var model = await models.LoadAsync(row, cancellationToken);
        var manifest = model.Manifest;
        var inputs = await ModelData.ReadAsync(db, manifest.Mixture.Id, patientIds, manifest.Kind == ModelKinds.DerbyPlus, cancellationToken);
        var skipped = inputs.Where(p => p.Missing is not null).Select(p => new SkippedPatient(p.PatientId, p.Pseudonym, p.Missing!)).ToList();
        var ready = inputs.Where(p => p.Missing is null).ToList();
        var ids = ready.Select(p => p.PatientId).ToList();
        var existing = (await db.Predictions.AsNoTracking().Where(p => p.ModelVersionId == model.Id && ids.Contains(p.PatientId))
            .Select(p => new { p.PatientId, p.InputsSha256 }).ToListAsync(cancellationToken)).ToLookup(p => p.PatientId, p => p.InputsSha256);
        var todo = ready.Where(p => !existing[p.PatientId].Contains(p.Hashes!.Combined)).ToList();
        var head = await HeadVotesAsync(manifest, todo, cancellationToken);

        int scored = 0, unchanged = 0;
        foreach (var patient in ready)
        {
            // One transaction per patient: its older predictions marked stale and the new one stored together.
            var hash = patient.Hashes!.Combined;
            await using var write = await dbFactory.CreateAsync(cancellationToken);
            var mine = await write.Predictions.Where(p => p.ModelVersionId == model.Id && p.PatientId == patient.PatientId).ToListAsync(cancellationToken);
            var same = mine.FirstOrDefault(e => e.InputsSha256 == hash);
            foreach (var older in mine.Where(e => e != same && !e.IsStale))
            {
                older.IsStale = true;
            }

            if (same is not null)
            {
                same.IsStale = false;
                await write.SaveChangesAsync(cancellationToken);
                unchanged++;
                continue;
            }

            write.Predictions.Add(Predict(model, patient, head, requestedBy));
            FaultPoints.Pass("prediction.commit");
            try
            {
                await write.SaveChangesAsync(cancellationToken);
                scored++;
            }
            catch (DbUpdateException)
            {
                // Scored by a concurrent run meanwhile (the unique index on patient, version and inputs): the same prediction.
                await using var check = await dbFactory.CreateAsync(cancellationToken);
                if (!await check.Predictions.AnyAsync(p => p.PatientId == patient.PatientId && p.ModelVersionId == model.Id && p.InputsSha256 == hash, cancellationToken))
                {
                    throw;
                }

                unchanged++;
            }

            progress?.Report($"scored {patient.Pseudonym}: {scored + unchanged}/{ready.Count}");
        }

        if (scored > 0)
        {
            db.AuditEvents.Add(ModelService.Audit(requestedBy, clock.UtcNow, "model.scored", model.Id, new { model.Version, scored, unchanged, skipped = skipped.Count }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return new ScoringSummary(model.Version, scored, unchanged, skipped);
    }

    /// <summary>A patient's predictions (every version, newest first), for whoever may read the patient.</summary>
    /// <exception cref="NotFoundException">No such patient for this caller.</exception>
    public async Task<IReadOnlyList<PredictionView>> PredictionsAsync(AccessScope scope, Guid patientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !scope.CanRead(patient.SiteId))
        {
            throw new NotFoundException("No such patient");
        }

        var rows = await db.Predictions.AsNoTracking().Include(p => p.ModelVersion).Where(p => p.PatientId == patientId).OrderByDescending(p => p.CreatedUtc)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(p => View(p, patient.Pseudonym))];
    }

    /// <summary>
    /// The paper's Table 2 for a version: per cohort, AUC (DeLong 95% CI), sensitivity, specificity, PPV and NPV
    /// (Clopper-Pearson) at the model's threshold over the members with an outcome and a current (not stale) prediction,
    /// and the single-modality signatures' AUCs. The model's own training cohort is evaluated on its cross-validated
    /// scores; a cohort that shares patients with the training set says how many.
    /// </summary>
    public async Task<ModelEvaluation> EvaluateAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        ModelService.RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await ResolveAsync(db, version, cancellationToken);
        var manifest = ModelService.Verify(model);
        var predictions = (await db.Predictions.AsNoTracking().Where(p => p.ModelVersionId == model.Id && !p.IsStale).ToListAsync(cancellationToken))
            .GroupBy(p => p.PatientId).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.CreatedUtc).First());
        var outcomes = await db.Outcomes.AsNoTracking().ToDictionaryAsync(o => o.PatientId, o => o.IsResponder, cancellationToken);
        var cohorts = await db.Cohorts.AsNoTracking().OrderBy(c => c.Kind).ThenBy(c => c.Code).ToListAsync(cancellationToken);
        var crossValidated = await models.GetCrossValidationAsync(scope, model.Version, cancellationToken);
        var trained = manifest.Patients.Select(p => p.Id).ToHashSet();
        var rows = new List<CohortEvaluation>();
        foreach (var cohort in cohorts)
        {
            var members = await db.CohortMemberships.AsNoTracking().Where(m => m.CohortId == cohort.Id).Select(m => m.PatientId).ToListAsync(cancellationToken);
            var own = cohort.Code == manifest.Cohort;
            var evaluated = members.Where(m => outcomes.ContainsKey(m) && (own ? crossValidated.Trs.ContainsKey(m) : predictions.ContainsKey(m))).ToList();
            var scores = evaluated.Select(m => own ? crossValidated.Trs[m] : predictions[m].Trs).ToArray();
            var labels = evaluated.Select(m => outcomes[m] ? 1 : 0).ToArray();
            var responders = labels.Sum();
            var overlap = evaluated.Count(trained.Contains);
            var note = own ? $"the training cohort: {crossValidated.Folds}-fold cross-validated TRS of the training patients (patient-level folds)"
                : overlap > 0 ? $"{overlap} of the {evaluated.Count} are training patients of this model: their scores are apparent (resubstitution) performance"
                : null;
            AucEstimate? auc = null;
            DiagnosticSummary? accuracy = null;
            var signatureAuc = new Dictionary<string, double>();
            if (evaluated.Count > 0)
            {
                accuracy = DiagnosticAccuracy.AtThreshold(scores, labels, manifest.Threshold);
                if (responders > 0 && responders < evaluated.Count)
                {
                    auc = responders >= 2 && evaluated.Count - responders >= 2 ? RocAnalysis.DeLong(scores, labels) : null;
                    var signatures = evaluated.Select(m => own ? [] : Signatures(predictions[m])).ToList();
                    foreach (var name in new[] { "clinical", "imaging", "histological" })
                    {
                        var values = signatures.Select(s => s.FirstOrDefault(x => x.Name == name)?.Score).ToList();
                        if (values.All(v => v is not null))
                        {
                            signatureAuc[name] = RocAnalysis.Auc(values.Select(v => v!.Value).ToArray(), labels);
                        }
                    }
                }
            }

            rows.Add(new CohortEvaluation(cohort.Code, cohort.Name, cohort.Kind, members.Count, evaluated.Count, responders, auc, accuracy, signatureAuc, note));
        }

        return new ModelEvaluation(model.Version, model.Kind, manifest.Threshold, rows);
    }

    private Prediction Predict(LoadedModel model, PatientInputs patient, IReadOnlyDictionary<long, double>? head, string requestedBy)
    {
        var manifest = model.Manifest;
        var table = ModelService.Table([patient], manifest.Columns, manifest.Mixture.K);
        var probabilities = model.Forest.PredictPairs(table);
        var trs = TherapyResponseScore.Compute(table, probabilities, manifest.Threshold).Single();
        var signatures = new List<SignatureScore>();
        foreach (var s in manifest.Signatures)
        {
            if (s.Name == "imaging")
            {
                signatures.Add(s.Unavailable is not null ? new SignatureScore(s.Name, null, s.Unavailable)
                    : head is null ? new SignatureScore(s.Name, null, "the network could not be run here (LibTorch)")
                    : new SignatureScore(s.Name, patient.Pairs.Average(p => head[p.ImagePairId] > 0.5 ? 1.0 : 0.0), null));
            }
            else if (s.Sha256 is null || !model.Signatures.TryGetValue(s.Name, out var forest))
            {
                signatures.Add(new SignatureScore(s.Name, null, s.Unavailable));
            }
            else if (s.Name == "histological" && patient.Histology is null)
            {
                signatures.Add(new SignatureScore(s.Name, null, "no IHC scores"));
            }
            else
            {
                var sub = ModelService.Table([patient], s.Columns, manifest.Mixture.K);
                signatures.Add(new SignatureScore(s.Name, TherapyResponseScore.Compute(sub, forest.PredictPairs(sub), manifest.Threshold).Single().Score, null));
            }
        }

        var hashes = patient.Hashes!;
        return new Prediction
        {
            Id = Guid.NewGuid(),
            PatientId = patient.PatientId,
            ModelVersionId = model.Id,
            Trs = trs.Score,
            PredictedResponder = trs.Responder,
            Threshold = manifest.Threshold,
            PairCount = patient.Pairs.Count,
            InputsSha256 = hashes.Combined,
            InputHashesJson = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["instances"] = hashes.Instances, ["pair_sets"] = hashes.PairSets, ["f_img"] = hashes.Fimg, ["clinical"] = hashes.Clinical, ["histology"] = hashes.Histology,
            }, Json),
            PairScoresJson = JsonSerializer.Serialize(patient.Pairs.Select((p, i) => new PairScore(p.ImagePairId, p.RoiArea, probabilities[i])), Json),
            FeaturesJson = JsonSerializer.Serialize(new PredictionFeatures(manifest.Columns, [.. patient.Pairs.Select(p => p.ImagePairId)],
                [.. Enumerable.Range(0, table.Count).Select(i => table.Features(i).ToArray().Select(v => (double)v).ToArray())]), Json),
            SignaturesJson = JsonSerializer.Serialize(signatures, Json),
            RequestedBy = requestedBy,
            CreatedUtc = clock.UtcNow,
        };
    }

    /// <summary>The network's pair probabilities for the imaging signature; null when LibTorch cannot run here or the network has no checkpoint.</summary>
    private async Task<IReadOnlyDictionary<long, double>?> HeadVotesAsync(ModelManifest manifest, IReadOnlyList<PatientInputs> patients, CancellationToken cancellationToken)
    {
        var imaging = manifest.Signatures.FirstOrDefault(s => s.Name == "imaging");
        if (patients.Count == 0 || imaging is null || imaging.Unavailable is not null)
        {
            return null;
        }

        try
        {
            return await networks.HeadProbabilitiesAsync(manifest.Network.Id, [.. patients.SelectMany(p => p.PairSetIds).Distinct()], cancellationToken);
        }
        catch (Exception ex) when (ex is Derby.Learning.Runtime.LibTorchLoadException or DllNotFoundException or TypeInitializationException)
        {
            return null;
        }
    }

    private static async Task<ModelVersion> ResolveAsync(IDerbyDbContext db, string version, CancellationToken cancellationToken)
    {
        var model = ModelKinds.All.Contains(version)
            ? await db.ModelVersions.AsNoTracking().SingleOrDefaultAsync(m => m.Kind == version && m.IsActive, cancellationToken)
                ?? throw new NotFoundException($"No active {version} model: train one or activate a version")
            : await db.ModelVersions.AsNoTracking().SingleOrDefaultAsync(m => m.Version == version, cancellationToken)
                ?? throw new NotFoundException($"No model version {version}");
        return model.Status == ModelVersionStatus.Trained ? model
            : throw new ValidationFailedException([new("version", $"Model {model.Version} is {model.Status.ToString().ToLowerInvariant()}, not trained")]);
    }

    private static IReadOnlyList<SignatureScore> Signatures(Prediction p) =>
        p.SignaturesJson is null ? [] : JsonSerializer.Deserialize<List<SignatureScore>>(p.SignaturesJson, Json)!;

    private static PredictionView View(Prediction p, string pseudonym) => new(
        p.Id, p.PatientId, pseudonym, p.ModelVersion?.Version ?? "", p.Trs, p.PredictedResponder, p.Threshold, p.PairCount, p.IsStale, p.InputsSha256 ?? "",
        p.InputHashesJson is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(p.InputHashesJson, Json)!,
        p.PairScoresJson is null ? [] : JsonSerializer.Deserialize<List<PairScore>>(p.PairScoresJson, Json)!,
        Signatures(p), p.CreatedUtc);
}
