using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Imaging.Pairs;
using Derby.Learning.Mixtures;
using Derby.Learning.Networks;
using Derby.Learning.Runtime;
using Derby.Learning.Training;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Learning;

/// <summary>
/// The deep part of the pipeline: train the pair network on a training cohort's accepted lesions, extract the 1024-d pair
/// features of every pair set, fit the Gaussian mixture on the training cohort's features and store every pair's F_img.
/// Only administrators and principal investigators may start it or see it. Jobs are idempotent: a trained or failed model
/// is left alone (a model found in training, after a crash, is trained again from scratch: the epochs are cheap compared
/// with the risk of resuming from an inconsistent checkpoint), existing feature sets are skipped, and the mixture with all
/// its F_img rows is written in one transaction.
/// </summary>
public sealed class NetworkService(IDerbyDbContextFactory dbFactory, IArtifactStore artifacts, IBackgroundJobs jobs, IClock clock)
{
    /// <summary>Artefact kind of the checkpoints.</summary>
    public const string NetworksKind = "networks";

    /// <summary>Artefact kind of the feature files (float32 little-endian, pairs × 1024).</summary>
    public const string FeaturesKind = "features";

    /// <summary>Artefact kind of the Grad-CAM maps (float32 little-endian, pairs × 2 × S × S: PET map, CT map).</summary>
    public const string GradCamKind = "gradcam";

    /// <summary>Artefact kind of the mixture parameters (JSON).</summary>
    public const string MixturesKind = "mixtures";

    /// <summary>Fewest patients with accepted-lesion pairs and an outcome a training needs.</summary>
    public const int MinimumPatients = 4;

    /// <summary>Pairs per step when the request leaves it to the service (ADR 16: at 8 a CPU run sat at loss ln 2).</summary>
    public const int DefaultBatchSize = 32;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The network models, newest first.</summary>
    /// <exception cref="ForbiddenException">The caller is neither administrator nor principal investigator.</exception>
    public async Task<IReadOnlyList<NetworkModelView>> ListAsync(AccessScope scope, CancellationToken cancellationToken = default)
    {
        RequireLearning(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var ids = await db.NetworkModels.AsNoTracking().OrderByDescending(n => n.RequestedUtc).Select(n => n.Id).ToListAsync(cancellationToken);
        var views = new List<NetworkModelView>(ids.Count);
        foreach (var id in ids)
        {
            views.Add(await ViewAsync(db, id, cancellationToken));
        }

        return views;
    }

    /// <summary>One model by version.</summary>
    /// <exception cref="NotFoundException">No such version.</exception>
    public async Task<NetworkModelView> GetAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        RequireLearning(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var id = await db.NetworkModels.Where(n => n.Version == version).Select(n => (Guid?)n.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException($"No network version {version}");
        return await ViewAsync(db, id, cancellationToken);
    }

    /// <summary>One model by id.</summary>
    public async Task<NetworkModelView> GetAsync(AccessScope scope, Guid id, CancellationToken cancellationToken = default)
    {
        RequireLearning(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        if (!await db.NetworkModels.AnyAsync(n => n.Id == id, cancellationToken))
        {
            throw new NotFoundException("No such network model");
        }

        return await ViewAsync(db, id, cancellationToken);
    }

    /// <summary>
    /// Records a training request and queues it. A request with the same cohort and settings while an earlier one is
    /// queued or training gives that one back.
    /// </summary>
    /// <exception cref="ForbiddenException">The caller is neither administrator nor principal investigator.</exception>
    /// <exception cref="ValidationFailedException">Invalid settings, no such cohort, not a training cohort, or too few labelled patients with pairs.</exception>
    public async Task<NetworkModelView> RequestTrainingAsync(AccessScope scope, string cohortCode, TrainingRequest request, CancellationToken cancellationToken = default)
    {
        RequireLearning(scope);
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var cohort = await db.Cohorts.AsNoTracking().SingleOrDefaultAsync(c => c.Code == cohortCode, cancellationToken);
        if (cohort is null)
        {
            errors.Add(new("cohort", $"No cohort with code '{cohortCode}'"));
        }
        else if (cohort.Kind != CohortKind.Training)
        {
            errors.Add(new("cohort", $"Cohort '{cohort.Code}' is a {cohort.Kind} cohort: the network is trained on a Training cohort only"));
        }
        else
        {
            var labelled = await LabelledPatientsAsync(db, cohort.Id, cancellationToken);
            if (labelled.Count < MinimumPatients)
            {
                errors.Add(new("cohort", $"Cohort '{cohort.Code}' has {labelled.Count} patient(s) with accepted-lesion pairs and an outcome; training needs at least {MinimumPatients}"));
            }
            else if (labelled.Select(l => l.Label).Distinct().Count() < 2)
            {
                errors.Add(new("cohort", $"Cohort '{cohort.Code}' has patients of one response class only (responders are best response CR or PR): training needs both"));
            }
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var settingsJson = JsonSerializer.Serialize(request, Json);
        var pending = await db.NetworkModels.AsNoTracking()
            .Where(n => n.CohortId == cohort!.Id && n.SettingsJson == settingsJson && (n.Status == NetworkModelStatus.Queued || n.Status == NetworkModelStatus.Training))
            .Select(n => (Guid?)n.Id).FirstOrDefaultAsync(cancellationToken);
        if (pending is { } existing)
        {
            return await ViewAsync(db, existing, cancellationToken);
        }

        var now = clock.UtcNow;
        var version = "net-" + now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var taken = await db.NetworkModels.Where(n => n.Version.StartsWith(version)).Select(n => n.Version).ToListAsync(cancellationToken);
        for (var i = 2; taken.Contains(version); i++)
        {
            version = $"net-{now:yyyyMMdd-HHmmss}-{i}";
        }

        var model = new NetworkModel
        {
            Id = Guid.NewGuid(),
            Version = version,
            CohortId = cohort!.Id,
            Status = NetworkModelStatus.Queued,
            SettingsJson = settingsJson,
            TotalEpochs = request.Epochs,
            RequestedBy = scope.UserName,
            RequestedUtc = now,
        };
        db.NetworkModels.Add(model);
        db.AuditEvents.Add(Audit(scope.UserName, now, "network.requested", model.Id, new { version, cohort = cohort.Code, settings = request }));
        await db.SaveChangesAsync(cancellationToken);
        jobs.EnqueueTraining(model.Id);
        return await ViewAsync(db, model.Id, cancellationToken);
    }

    /// <summary>Queues the feature extraction of a trained network.</summary>
    /// <exception cref="ValidationFailedException">The network is not trained.</exception>
    public async Task<string> RequestExtractionAsync(AccessScope scope, Guid networkId, CancellationToken cancellationToken = default)
    {
        await RequireTrainedAsync(scope, networkId, cancellationToken);
        return jobs.EnqueueExtraction(networkId);
    }

    /// <summary>Most principal components a mixture may be fitted on.</summary>
    public const int MaxMixtureDimensions = 64;

    /// <summary>Principal components the mixture is fitted on unless the request says otherwise (ADR 16).</summary>
    public const int DefaultMixtureDimensions = 8;

    /// <summary>
    /// Queues the mixture fit of a trained network: on the leading principal components of its features
    /// (<paramref name="dimensions"/> 1..<see cref="MaxMixtureDimensions"/>, <see cref="DefaultMixtureDimensions"/> by
    /// default), or on the 1024-d features themselves (0).
    /// </summary>
    /// <exception cref="ValidationFailedException">The network is not trained, <paramref name="kMax"/> is out of 1..32, or <paramref name="dimensions"/> out of 0..64.</exception>
    public async Task<string> RequestMixtureAsync(AccessScope scope, Guid networkId, int kMax = 8, int dimensions = DefaultMixtureDimensions, CancellationToken cancellationToken = default)
    {
        if (kMax is < 1 or > 32)
        {
            throw new ValidationFailedException([new("kMax", "K max is between 1 and 32")]);
        }

        if (dimensions is < 0 or > MaxMixtureDimensions)
        {
            throw new ValidationFailedException([new("dimensions", $"Principal components before the mixture: 0 (none) to {MaxMixtureDimensions}")]);
        }

        await RequireTrainedAsync(scope, networkId, cancellationToken);
        return jobs.EnqueueMixture(networkId, kMax, dimensions);
    }

    /// <summary>
    /// The training job. Splits the cohort's labelled patients into training and validation (by patient, seeded, stratified
    /// by response), trains with early stopping on the validation loss, updates the model after every epoch, stores the
    /// best checkpoint and marks the model trained. A trained or failed model is left alone; one found in training
    /// (a crashed run) starts over. Bad data or an unusable device marks the model failed with the reason.
    /// </summary>
    public async Task RunTrainingAsync(Guid networkId, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await db.NetworkModels.SingleOrDefaultAsync(n => n.Id == networkId, cancellationToken);
        if (model is null || model.Status is NetworkModelStatus.Trained or NetworkModelStatus.Failed)
        {
            return;
        }

        var settings = SettingsOf(model.SettingsJson);
        var restarted = model.Status == NetworkModelStatus.Training;
        model.Status = NetworkModelStatus.Training;
        model.StartedUtc = clock.UtcNow;
        model.CurrentEpoch = 0;
        model.BestEpoch = 0;
        model.ValidationAuc = null;
        model.HistoryJson = JsonSerializer.Serialize(new NetworkHistory([], null, null), Json);
        db.AuditEvents.Add(Audit("system", clock.UtcNow, restarted ? "network.restarted" : "network.started", model.Id, new { model.Version }));
        await db.SaveChangesAsync(cancellationToken);

        var checkpoint = Path.Combine(Path.GetTempPath(), $"derby-{model.Id:N}-{Environment.ProcessId}.bin");
        try
        {
            var (trainIds, validIds) = await PlanTrainingAsync(db, model.CohortId, settings.ValidationFraction, settings.Seed, cancellationToken);
            var train = await LoadPairsAsync(trainIds, settings, cancellationToken);
            var valid = await LoadPairsAsync(validIds, settings, cancellationToken);
            if (train.Count < 2 || valid.Count < 1)
            {
                throw new InvalidOperationException($"{train.Count} training and {valid.Count} validation pairs: too few to train");
            }

            model.TrainingPatients = trainIds.Count;
            model.ValidationPatients = validIds.Count;
            model.TrainingPairs = train.Count;
            model.ValidationPairs = valid.Count;
            await db.SaveChangesAsync(cancellationToken);

            var device = DeviceSelector.Select(settings.Device);
            var cuda = device.type == TorchSharp.DeviceType.CUDA;
            if (!cuda)
            {
                TorchRuntime.SetThreads(Math.Max(1, Environment.ProcessorCount));
            }

            var batch = settings.BatchSize > 0 ? settings.BatchSize : DefaultBatchSize;
            progress?.Report($"{model.Version}: {train.Count} training pairs ({trainIds.Count} patients), {valid.Count} validation pairs ({validIds.Count} patients), device {device}, batch {batch}");
            var trainPairs = train.Select(t => t.Pair).ToList();
            var validPairs = valid.Select(v => v.Pair).ToList();
            var validLabels = valid.Select(v => v.Label).ToArray();
            var epochs = new List<EpochRecord>();
            var bestLoss = double.PositiveInfinity;
            var sinceBest = 0;
            using (var network = DerbyPairNet.Create(settings.Seed))
            {
                DerbyTrainer.Train(network, trainPairs, train.Select(t => t.Label).ToList(),
                    new TrainingOptions(settings.Epochs, Math.Max(2, batch), settings.LearningRate, 0.0, settings.Seed, RecalibrateBatchNorm: false, Augment: settings.Augment,
                        AuxiliaryWeight: settings.Auxiliary),
                    device, null, cancellationToken, (epoch, loss) =>
                    {
                        var p = DerbyTrainer.PredictResponder(network, validPairs, device, batch);
                        var record = new EpochRecord(epoch, loss, LogLoss(p, validLabels), Auc(p, validLabels));
                        epochs.Add(record);
                        if (record.ValidationLoss < bestLoss || epoch == 1)
                        {
                            bestLoss = record.ValidationLoss;
                            sinceBest = 0;
                            model.BestEpoch = epoch;
                            model.ValidationAuc = Finite(record.ValidationAuc);
                            network.Save(checkpoint);
                        }
                        else
                        {
                            sinceBest++;
                        }

                        model.CurrentEpoch = epoch;
                        model.HistoryJson = JsonSerializer.Serialize(new NetworkHistory(epochs, null, null), Json);
                        // The job runs on a worker thread without a synchronisation context: waiting here is safe.
                        db.SaveChangesAsync(cancellationToken).GetAwaiter().GetResult();
                        FaultPoints.Pass("network.epoch");
                        progress?.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"epoch {epoch}/{settings.Epochs}: train loss {loss:F4}, validation loss {record.ValidationLoss:F4}, validation AUC {record.ValidationAuc:F3}"));
                        return sinceBest < settings.Patience;
                    });
            }

            // The kept weights, with batch-norm statistics recomputed on the training pairs (see DerbyTrainer.RecalibrateBatchNorm).
            using var best = DerbyPairNet.Load(checkpoint, settings.Seed);
            DerbyTrainer.RecalibrateBatchNorm(best, trainPairs, device, Math.Max(2, batch));
            var trainP = DerbyTrainer.PredictResponder(best, trainPairs, device, batch);
            var validP = DerbyTrainer.PredictResponder(best, validPairs, device, batch);
            model.ValidationAuc = Finite(Auc(validP, validLabels));
            var history = new NetworkHistory(epochs, Vote(train.Select(t => (t.Patient, t.Label)).ToList(), trainP), Vote(valid.Select(v => (v.Patient, v.Label)).ToList(), validP));
            best.Save(checkpoint);
            var (sha, _) = await artifacts.PutAsync(NetworksKind, await File.ReadAllBytesAsync(checkpoint, cancellationToken), cancellationToken);
            model.CheckpointSha256 = sha;
            model.HistoryJson = JsonSerializer.Serialize(history, Json);
            model.Status = NetworkModelStatus.Trained;
            model.FinishedUtc = clock.UtcNow;
            db.AuditEvents.Add(Audit("system", clock.UtcNow, "network.trained", model.Id,
                new { model.Version, model.BestEpoch, model.ValidationAuc, epochs = epochs.Count, checkpoint = sha }));
            FaultPoints.Pass("network.commit");
            await db.SaveChangesAsync(cancellationToken);
            progress?.Report($"{model.Version}: trained, best epoch {model.BestEpoch}, validation AUC {model.ValidationAuc:F3}");
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or ArgumentException or LibTorchLoadException)
        {
            model.Status = NetworkModelStatus.Failed;
            model.Error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            model.FinishedUtc = clock.UtcNow;
            db.AuditEvents.Add(Audit("system", clock.UtcNow, "network.failed", model.Id, new { model.Version, error = model.Error }));
            await db.SaveChangesAsync(CancellationToken.None);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    /// <summary>
    /// The feature job: the 1024-d features of every stored pair set (every patient, every cohort) under a trained network,
    /// one feature file and one row per pair set, with the pairs' Grad-CAM maps, each set written in its own transaction;
    /// pair sets that have both are skipped, so a rerun after a crash finishes the rest, and a set featurized before maps
    /// were stored (or whose maps were lost) gets its maps without its features being recomputed.
    /// </summary>
    public async Task ExtractFeaturesAsync(Guid networkId, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await db.NetworkModels.AsNoTracking().SingleOrDefaultAsync(n => n.Id == networkId, cancellationToken);
        if (model is not { Status: NetworkModelStatus.Trained, CheckpointSha256: not null })
        {
            return;
        }

        var settings = SettingsOf(model.SettingsJson);
        var featurized = (await db.FeatureSets.Where(f => f.NetworkModelId == networkId).Select(f => f.PairSetId).ToListAsync(cancellationToken)).ToHashSet();
        var mapped = (await db.GradCamSets.Where(g => g.NetworkModelId == networkId).Select(g => g.PairSetId).ToListAsync(cancellationToken)).ToHashSet();
        var todo = (await db.PairSets.AsNoTracking().Where(p => p.PairCount > 0).OrderBy(p => p.CreatedUtc).Select(p => new { p.Id, p.Sha256 }).ToListAsync(cancellationToken))
            .Where(p => !featurized.Contains(p.Id) || !mapped.Contains(p.Id)).ToList();
        if (todo.Count == 0)
        {
            return;
        }

        var device = DeviceSelector.Select(settings.Device);
        var cuda = device.type == TorchSharp.DeviceType.CUDA;
        if (!cuda)
        {
            TorchRuntime.SetThreads(Math.Max(1, Environment.ProcessorCount));
        }

        using var network = await LoadNetworkAsync(model, cancellationToken);
        var n = 0;
        foreach (var set in todo)
        {
            var pairs = ToInputs(await ReadPairSetAsync(set.Sha256, cancellationToken), settings).ToList();
            var what = new List<string>(2);
            if (!featurized.Contains(set.Id))
            {
                var features = DerbyTrainer.ExtractFeatures(network, pairs, device, cuda ? 64 : 16);
                var bytes = new byte[features.Length * DerbyPairNet.FeatureSize * sizeof(float)];
                for (var i = 0; i < features.Length; i++)
                {
                    Buffer.BlockCopy(features[i], 0, bytes, i * DerbyPairNet.FeatureSize * sizeof(float), DerbyPairNet.FeatureSize * sizeof(float));
                }

                var (sha, _) = await artifacts.PutAsync(FeaturesKind, bytes, cancellationToken);
                db.FeatureSets.Add(new FeatureSet { NetworkModelId = networkId, PairSetId = set.Id, Sha256 = sha, PairCount = features.Length, CreatedUtc = clock.UtcNow });
                what.Add("features");
            }

            if (!mapped.Contains(set.Id))
            {
                // The Grad-CAM maps (responder class) of the same pairs, committed with the features.
                var maps = Derby.Learning.Explain.PairGradCam.Compute(network, pairs, device, 1, cuda ? 32 : 8);
                var plane = settings.CropSize * settings.CropSize;
                var camBytes = new byte[maps.Length * 2 * plane * sizeof(float)];
                for (var i = 0; i < maps.Length; i++)
                {
                    Buffer.BlockCopy(maps[i].Pet.Values, 0, camBytes, 2 * i * plane * sizeof(float), plane * sizeof(float));
                    Buffer.BlockCopy(maps[i].Ct.Values, 0, camBytes, ((2 * i) + 1) * plane * sizeof(float), plane * sizeof(float));
                }

                var (camSha, _) = await artifacts.PutAsync(GradCamKind, camBytes, cancellationToken);
                db.GradCamSets.Add(new GradCamSet { NetworkModelId = networkId, PairSetId = set.Id, Sha256 = camSha, PairCount = maps.Length, CropSize = settings.CropSize, CreatedUtc = clock.UtcNow });
                what.Add("Grad-CAM");
            }

            FaultPoints.Pass("features.commit");
            await db.SaveChangesAsync(cancellationToken);
            progress?.Report($"features {++n}/{todo.Count}: {pairs.Count} pairs ({string.Join(" and ", what)})");
        }

        db.AuditEvents.Add(Audit("system", clock.UtcNow, "network.features", networkId, new { model.Version, pairSets = todo.Count }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The mixture job: a diagonal-covariance Gaussian mixture on the features of the training cohort's pairs that a model
    /// version reads (the newest pair set of each accepted lesion), K chosen by BIC over
    /// 1..<paramref name="kMax"/> (seeded with the network's seed), then F_img (the responsibilities) of every pair that has
    /// features, written with the mixture in one transaction. With <paramref name="dimensions"/> above 0 the mixture is
    /// fitted on that many principal components of the standardised features (fitted on the same training pairs, stored
    /// with the mixture's parameters). On the 1024-d features the responsibilities are one-hot and the clusters follow
    /// the many low-variance features; on a few leading components they follow the main directions of variation (ADR 16). The newest mixture of the network on as many dimensions is reused: only pairs without F_img get theirs
    /// (from the stored parameters), so a rerun adds nothing; a mixture on other dimensions is fitted anew and becomes the
    /// network's newest, the one a model version trained afterwards takes (reusing an older one does not make it newest).
    /// </summary>
    public async Task FitMixtureAsync(Guid networkId, int kMax = 8, int dimensions = DefaultMixtureDimensions, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kMax, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(dimensions);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await db.NetworkModels.AsNoTracking().SingleOrDefaultAsync(n => n.Id == networkId, cancellationToken);
        if (model is not { Status: NetworkModelStatus.Trained })
        {
            return;
        }

        var settings = SettingsOf(model.SettingsJson);
        // Rows in an order given by the data alone (patient pseudonym, then the pair set's content hash, then the pair's index),
        // not by identifiers or write order: k-means++ seeding and the sums of the fit follow the row order, and the same
        // study imported again must give the same mixture.
        var sets = (await db.FeatureSets.AsNoTracking().Where(f => f.NetworkModelId == networkId)
                .Select(f => new
                {
                    f.PairSetId, f.Sha256, f.PairCount, PairSetSha256 = f.PairSet!.Sha256, PairSetCreatedUtc = f.PairSet.CreatedUtc, f.PairSet.LesionId,
                    f.PairSet.Lesion!.Status, f.PairSet.Lesion.PatientId, f.PairSet.Lesion.Patient!.Pseudonym,
                })
                .ToListAsync(cancellationToken))
            .OrderBy(f => f.Pseudonym, StringComparer.Ordinal).ThenBy(f => f.PairSetSha256, StringComparer.Ordinal).ThenBy(f => f.Sha256, StringComparer.Ordinal).ToList();
        if (sets.Count == 0)
        {
            throw new InvalidOperationException($"Network {model.Version} has no features yet: run the extraction first");
        }

        // The mixture is fitted on the pairs a model version reads (ModelData): the newest pair set of each accepted lesion
        // of the network's training cohort. An older set of a lesion (pairs rebuilt against a newer CT) or a discarded
        // lesion's set would count that lesion twice or count a lesion no model uses; their pairs still get F_img.
        var members = (await db.CohortMemberships.Where(m => m.CohortId == model.CohortId).Select(m => m.PatientId).ToListAsync(cancellationToken)).ToHashSet();
        var fitted = ModelData.NewestPerLesion(sets.Where(s => s.Status == LesionStatus.Accepted && members.Contains(s.PatientId)), s => s.LesionId,
            s => s.PairSetCreatedUtc, s => s.PairSetSha256).Select(s => s.PairSetId).ToHashSet();
        var pairIds = await db.ImagePairs.AsNoTracking().Where(p => sets.Select(s => s.PairSetId).Contains(p.PairSetId))
            .Select(p => new { p.Id, p.PairSetId, p.Index }).ToListAsync(cancellationToken);
        var byKey = pairIds.ToDictionary(p => (p.PairSetId, p.Index), p => p.Id);
        var rows = new List<(long PairId, float[] Features, bool Training)>();
        foreach (var set in sets)
        {
            var features = await ReadFeaturesAsync(set.Sha256, set.PairCount, cancellationToken);
            for (var i = 0; i < features.Length; i++)
            {
                rows.Add((byKey[(set.PairSetId, i)], features[i], fitted.Contains(set.PairSetId)));
            }
        }

        var mixture = await db.MixtureModels.Where(m => m.NetworkModelId == networkId && m.Dimensions == dimensions)
            .OrderByDescending(m => m.CreatedUtc).FirstOrDefaultAsync(cancellationToken);
        GaussianMixture gmm;
        PrincipalComponents? projection = null;
        var created = mixture is null;
        if (mixture is null)
        {
            var x = GaussianMixture.ToDouble(rows.Where(r => r.Training).Select(r => r.Features).ToArray());
            if (x.Length < 2)
            {
                throw new InvalidOperationException($"{x.Length} training pair(s) with features: too few for a mixture");
            }

            if (dimensions > 0)
            {
                if (dimensions > x[0].Length || dimensions >= x.Length)
                {
                    throw new InvalidOperationException(
                        $"{dimensions} principal components asked of {x.Length} training pair(s) with {x[0].Length} features: they need more pairs than components (or fit the mixture on the features themselves, 0 components)");
                }

                projection = PrincipalComponents.Fit(x, dimensions);
                x = projection.Transform(x);
                progress?.Report($"mixture: {dimensions} principal components hold {projection.ExplainedVarianceRatio * 100:F0}% of the standardised features' variance");
            }

            var seed = unchecked((int)settings.Seed);
            var selection = GaussianMixture.SelectByBic(x, Enumerable.Range(1, Math.Min(kMax, x.Length - 1)), CovarianceType.Diagonal, seed);
            gmm = selection.Best;
            var parameters = new MixtureParameters(gmm.CovarianceType.ToString(), [.. gmm.Weights],
                Enumerable.Range(0, gmm.Components).Select(gmm.Mean).ToArray(),
                Enumerable.Range(0, gmm.Components).Select(gmm.CovarianceParameters).ToArray(),
                projection is null ? null : new ProjectionParameters([.. projection.Mean], [.. projection.Scale],
                    Enumerable.Range(0, projection.Dimensions).Select(projection.Component).ToArray()));
            var (sha, _) = await artifacts.PutAsync(MixturesKind, JsonSerializer.SerializeToUtf8Bytes(parameters, Json), cancellationToken);
            mixture = new MixtureModel
            {
                Id = Guid.NewGuid(),
                NetworkModelId = networkId,
                K = gmm.Components,
                Dimensions = dimensions,
                CovarianceType = gmm.CovarianceType.ToString(),
                BicJson = JsonSerializer.Serialize(selection.Candidates.Select(c => new BicPoint(c.K, c.Bic)), Json),
                ParametersSha256 = sha,
                TrainingPairs = x.Length,
                Seed = seed,
                CreatedUtc = clock.UtcNow,
            };
            db.MixtureModels.Add(mixture);
            progress?.Report($"mixture: K = {mixture.K} chosen by BIC on {x.Length} training pairs");
        }
        else
        {
            var bytes = await ReadArtifactAsync(MixturesKind, mixture.ParametersSha256, cancellationToken);
            var p = JsonSerializer.Deserialize<MixtureParameters>(bytes, Json) ?? throw new InvalidDataException("Unreadable mixture parameters");
            gmm = GaussianMixture.FromParameters(Enum.Parse<CovarianceType>(p.CovarianceType), p.Weights, p.Means, p.Covariances);
            projection = p.Projection is { } q ? PrincipalComponents.FromParameters(q.Mean, q.Scale, q.Components) : null;
        }

        var have = (await db.PairImageFeatures.Where(f => f.MixtureModelId == mixture.Id).Select(f => f.ImagePairId).ToListAsync(cancellationToken)).ToHashSet();
        var missing = rows.Where(r => !have.Contains(r.PairId)).ToList();
        if (missing.Count == 0 && !created)
        {
            return;
        }

        var inputs = GaussianMixture.ToDouble(missing.Select(r => r.Features).ToArray());
        var responsibilities = missing.Count == 0 ? [] : gmm.Responsibilities(projection is null ? inputs : projection.Transform(inputs));
        for (var i = 0; i < missing.Count; i++)
        {
            db.PairImageFeatures.Add(new PairImageFeature
            {
                MixtureModelId = mixture.Id,
                ImagePairId = missing[i].PairId,
                ResponsibilitiesJson = JsonSerializer.Serialize(responsibilities[i], Json),
            });
        }

        db.AuditEvents.Add(Audit("system", clock.UtcNow, "network.mixture", networkId, new { model.Version, mixture.K, mixture.Dimensions, pairs = missing.Count }));
        FaultPoints.Pass("mixture.commit");
        await db.SaveChangesAsync(cancellationToken);
        progress?.Report($"mixture: F_img of {missing.Count} pair(s) stored");
    }

    /// <summary>
    /// The Grad-CAM maps of one image pair under a network (PET and CT branch, responder class, S × S each), read from the
    /// store and checked against the hash; null when the network has no maps for the pair's set yet. Anyone who may read
    /// the pair's patient may read them (reviewers audit them with the prediction).
    /// </summary>
    /// <exception cref="NotFoundException">No such network version, or no such pair for this caller.</exception>
    public async Task<PairGradCamView?> GetGradCamAsync(AccessScope scope, string version, long imagePairId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var networkId = await NetworkIdAsync(db, version, cancellationToken);
        var pair = await db.ImagePairs.AsNoTracking().Where(p => p.Id == imagePairId)
            .Select(p => new { p.PairSetId, p.Index, p.PairSet!.Lesion!.Patient!.SiteId }).SingleOrDefaultAsync(cancellationToken);
        if (pair is null || !scope.CanRead(pair.SiteId))
        {
            throw new NotFoundException("No such image pair");
        }

        var maps = await ReadGradCamAsync(db, networkId, pair.PairSetId, cancellationToken);
        if (maps is null)
        {
            return null;
        }

        if (pair.Index >= maps.Value.Pet.Length)
        {
            throw new InvalidDataException($"The Grad-CAM file of pair set {pair.PairSetId} has no pair {pair.Index}");
        }

        return new PairGradCamView(version, imagePairId, pair.PairSetId, pair.Index, maps.Value.CropSize, maps.Value.Pet[pair.Index], maps.Value.Ct[pair.Index]);
    }

    /// <summary>The trained network versions that have Grad-CAM maps of the lesion's newest pair set, newest first.</summary>
    /// <exception cref="NotFoundException">No such lesion for this caller.</exception>
    public async Task<IReadOnlyList<string>> GradCamVersionsAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        if (await NewestPairSetAsync(db, scope, lesionId, cancellationToken) is not { } setId)
        {
            return [];
        }

        return await db.GradCamSets.Where(g => g.PairSetId == setId).OrderByDescending(g => g.NetworkModel!.RequestedUtc)
            .Select(g => g.NetworkModel!.Version).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The Grad-CAM maps of every pair of the lesion's newest pair set under a network, in pair order (index i of
    /// <see cref="LesionGradCamView.Pet"/> belongs to pair i); null when the network has no maps for that set. The maps
    /// have the network's crop size, or, laid over the stored pairs' crops of side <paramref name="resampleTo"/>, the size of
    /// those crops (bilinear, as the pairs are resized for the network; 0 outside the network's field).
    /// </summary>
    /// <exception cref="NotFoundException">No such lesion for this caller, or no such network version.</exception>
    public async Task<LesionGradCamView?> GetLesionGradCamAsync(AccessScope scope, Guid lesionId, string version, int? resampleTo = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var setId = await NewestPairSetAsync(db, scope, lesionId, cancellationToken);
        var network = await db.NetworkModels.Where(n => n.Version == version).Select(n => new { n.Id, n.SettingsJson }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException($"No network version {version}");
        if (setId is null || await ReadGradCamAsync(db, network.Id, setId.Value, cancellationToken) is not { } maps)
        {
            return null;
        }

        if (resampleTo is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(resampleTo));
            var field = SettingsOf(network.SettingsJson).Field;
            if (size != maps.CropSize || (field > 0 && field != size))
            {
                return new LesionGradCamView(version, lesionId, setId.Value, size, [.. maps.Pet.Select(m => ToStoredCrop(m, maps.CropSize, size, field))],
                    [.. maps.Ct.Select(m => ToStoredCrop(m, maps.CropSize, size, field))]);
            }
        }

        return new LesionGradCamView(version, lesionId, setId.Value, maps.CropSize, maps.Pet, maps.Ct);
    }

    /// <summary>A network's training settings as stored with it.</summary>
    private static TrainingRequest SettingsOf(string settingsJson) => JsonSerializer.Deserialize<TrainingRequest>(settingsJson, Json) ?? new TrainingRequest();

    private static async Task<Guid> NetworkIdAsync(IDerbyDbContext db, string version, CancellationToken cancellationToken) =>
        await db.NetworkModels.Where(n => n.Version == version).Select(n => (Guid?)n.Id).SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException($"No network version {version}");

    private static async Task<Guid?> NewestPairSetAsync(IDerbyDbContext db, AccessScope scope, Guid lesionId, CancellationToken cancellationToken)
    {
        var siteId = await db.Lesions.Where(l => l.Id == lesionId).Select(l => (int?)l.Patient!.SiteId).SingleOrDefaultAsync(cancellationToken);
        if (siteId is not { } site || !scope.CanRead(site))
        {
            throw new NotFoundException("No such lesion");
        }

        return await db.PairSets.Where(p => p.LesionId == lesionId).OrderByDescending(p => p.CreatedUtc).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>A pair set's maps under a network, split per pair and branch; null when none are stored.</summary>
    private async Task<(int CropSize, float[][] Pet, float[][] Ct)?> ReadGradCamAsync(IDerbyDbContext db, Guid networkId, Guid pairSetId, CancellationToken cancellationToken)
    {
        var set = await db.GradCamSets.AsNoTracking().SingleOrDefaultAsync(g => g.NetworkModelId == networkId && g.PairSetId == pairSetId, cancellationToken);
        if (set is null)
        {
            return null;
        }

        var bytes = await ReadArtifactAsync(GradCamKind, set.Sha256, cancellationToken);
        var plane = set.CropSize * set.CropSize;
        if (bytes.Length != set.PairCount * 2 * plane * sizeof(float))
        {
            throw new InvalidDataException($"Grad-CAM file {set.Sha256} does not hold {set.PairCount} pairs of {set.CropSize}²");
        }

        var pet = new float[set.PairCount][];
        var ct = new float[set.PairCount][];
        for (var i = 0; i < set.PairCount; i++)
        {
            pet[i] = new float[plane];
            ct[i] = new float[plane];
            Buffer.BlockCopy(bytes, 2 * i * plane * sizeof(float), pet[i], 0, plane * sizeof(float));
            Buffer.BlockCopy(bytes, ((2 * i) + 1) * plane * sizeof(float), ct[i], 0, plane * sizeof(float));
        }

        return (set.CropSize, pet, ct);
    }

    /// <summary>
    /// The network's own responder probability of every pair of the given pair sets, from the stored features through the
    /// classification head (the imaging-only signature's votes); keyed by image pair id. Needs LibTorch.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network is not trained, or a pair set has no features under it.</exception>
    public async Task<IReadOnlyDictionary<long, double>> HeadProbabilitiesAsync(Guid networkId, IReadOnlyCollection<Guid> pairSetIds,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await db.NetworkModels.AsNoTracking().SingleOrDefaultAsync(n => n.Id == networkId, cancellationToken);
        if (model is not { Status: NetworkModelStatus.Trained, CheckpointSha256: not null })
        {
            throw new InvalidOperationException("The network is not trained");
        }

        var sets = await db.FeatureSets.AsNoTracking().Where(f => f.NetworkModelId == networkId && pairSetIds.Contains(f.PairSetId)).ToListAsync(cancellationToken);
        if (sets.Count != pairSetIds.Count)
        {
            throw new InvalidOperationException($"{pairSetIds.Count - sets.Count} pair set(s) have no features under network {model.Version}: run the extraction");
        }

        var rows = await db.ImagePairs.AsNoTracking().Where(p => pairSetIds.Contains(p.PairSetId)).Select(p => new { p.Id, p.PairSetId, p.Index }).ToListAsync(cancellationToken);
        var byKey = rows.ToDictionary(r => (r.PairSetId, r.Index), r => r.Id);
        using var network = await LoadNetworkAsync(model, cancellationToken);
        network.eval();
        var result = new Dictionary<long, double>();
        foreach (var set in sets)
        {
            var features = await ReadFeaturesAsync(set.Sha256, set.PairCount, cancellationToken);
            using var tensor = TorchSharp.torch.tensor(features.SelectMany(f => f).ToArray(), [features.Length, DerbyPairNet.FeatureSize]);
            var p = network.ResponderProbabilities(tensor);
            for (var i = 0; i < p.Length; i++)
            {
                result[byKey[(set.PairSetId, i)]] = p[i];
            }
        }

        return result;
    }

    /// <summary>The stored 1024-d features of every pair of the given pair sets under a network, keyed by image pair id (hash-checked).</summary>
    /// <exception cref="InvalidOperationException">A pair set has no features under the network.</exception>
    public async Task<IReadOnlyDictionary<long, float[]>> ReadPairFeaturesAsync(Guid networkId, IReadOnlyCollection<Guid> pairSetIds,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var sets = await db.FeatureSets.AsNoTracking().Where(f => f.NetworkModelId == networkId && pairSetIds.Contains(f.PairSetId)).ToListAsync(cancellationToken);
        if (sets.Count != pairSetIds.Distinct().Count())
        {
            throw new InvalidOperationException($"{pairSetIds.Distinct().Count() - sets.Count} pair set(s) have no features under the network: run the extraction");
        }

        var rows = await db.ImagePairs.AsNoTracking().Where(p => pairSetIds.Contains(p.PairSetId)).Select(p => new { p.Id, p.PairSetId, p.Index }).ToListAsync(cancellationToken);
        var byKey = rows.ToDictionary(r => (r.PairSetId, r.Index), r => r.Id);
        var result = new Dictionary<long, float[]>(rows.Count);
        foreach (var set in sets)
        {
            var features = await ReadFeaturesAsync(set.Sha256, set.PairCount, cancellationToken);
            for (var i = 0; i < features.Length; i++)
            {
                result[byKey[(set.PairSetId, i)]] = features[i];
            }
        }

        return result;
    }

    /// <summary>
    /// The network's inputs of a stored pair set under a network's settings: against the lesion's surroundings when the
    /// settings ask (<see cref="SurroundingsReference"/>, with the set's own windows), then cut to the field and resized.
    /// </summary>
    internal static IEnumerable<PairInput> ToInputs(Derby.Imaging.Pairs.PairSet set, TrainingRequest settings) =>
        set.Pairs.Select(p => ToInput(settings.AgainstSurroundings ? SurroundingsReference.Apply(p, set.Settings) : p, settings.CropSize, settings.Field));

    /// <summary>
    /// The network's input of a stored pair: the centred <paramref name="field"/>² window of its crops (0 = the whole crop)
    /// resampled (bilinear) to the network's crop size.
    /// </summary>
    /// <exception cref="InvalidDataException">The field is larger than the stored pair's crop.</exception>
    internal static PairInput ToInput(PetCtPair pair, int cropSize, int field = 0)
    {
        var (offset, side) = Window(pair.CropSize, field);
        var scale = (double)cropSize / side;
        if (side == cropSize && offset == 0)
        {
            return new PairInput(pair.Pet, pair.Ct, cropSize) { RoiArea = pair.RoiArea };
        }

        var plane = pair.CropSize * pair.CropSize;
        var ct = new float[3 * cropSize * cropSize];
        for (var c = 0; c < 3; c++)
        {
            Resize(Centre(pair.Ct.AsSpan(c * plane, plane), pair.CropSize, offset, side), side, cropSize).CopyTo(ct, c * cropSize * cropSize);
        }

        return new PairInput(Resize(Centre(pair.Pet, pair.CropSize, offset, side), side, cropSize), ct, cropSize) { RoiArea = pair.RoiArea * scale * scale };
    }

    /// <summary>The centred window of a stored crop of side <paramref name="stored"/> that a network of the given field sees: its first pixel and side.</summary>
    internal static (int Offset, int Side) Window(int stored, int field)
    {
        if (field <= 0 || field == stored)
        {
            return (0, stored);
        }

        if (field > stored)
        {
            throw new InvalidDataException($"The network's field of {field} pixels is larger than the stored pairs' crop of {stored}: train with a field of at most {stored}, or 0 for the whole crop");
        }

        return ((stored - field) / 2, field);
    }

    /// <summary>
    /// A map the network gave on its input (<paramref name="size"/>², over the centred window of a stored crop) laid over
    /// the stored crop (<paramref name="stored"/>²): resampled to the window and placed at its centre; 0 outside it.
    /// </summary>
    internal static float[] ToStoredCrop(float[] map, int size, int stored, int field)
    {
        var (offset, side) = Window(stored, field);
        var window = side == size ? map : Resize(map, size, side);
        if (side == stored)
        {
            return window;
        }

        var result = new float[stored * stored];
        for (var y = 0; y < side; y++)
        {
            window.AsSpan(y * side, side).CopyTo(result.AsSpan(((offset + y) * stored) + offset, side));
        }

        return result;
    }

    private static ReadOnlySpan<float> Centre(ReadOnlySpan<float> plane, int stored, int offset, int side)
    {
        if (side == stored)
        {
            return plane;
        }

        var result = new float[side * side];
        for (var y = 0; y < side; y++)
        {
            plane.Slice(((offset + y) * stored) + offset, side).CopyTo(result.AsSpan(y * side, side));
        }

        return result;
    }

    private static float[] Resize(ReadOnlySpan<float> source, int from, int to)
    {
        var result = new float[to * to];
        var scale = (double)from / to;
        for (var y = 0; y < to; y++)
        {
            var sy = Math.Clamp(((y + 0.5) * scale) - 0.5, 0, from - 1);
            var y0 = (int)sy;
            var y1 = Math.Min(y0 + 1, from - 1);
            var fy = sy - y0;
            for (var x = 0; x < to; x++)
            {
                var sx = Math.Clamp(((x + 0.5) * scale) - 0.5, 0, from - 1);
                var x0 = (int)sx;
                var x1 = Math.Min(x0 + 1, from - 1);
                var fx = sx - x0;
                var top = (source[(y0 * from) + x0] * (1 - fx)) + (source[(y0 * from) + x1] * fx);
                var bottom = (source[(y1 * from) + x0] * (1 - fx)) + (source[(y1 * from) + x1] * fx);
                result[(y * to) + x] = (float)((top * (1 - fy)) + (bottom * fy));
            }
        }

        return result;
    }

    /// <summary>Pair-level AUC (Mann-Whitney, ties counted half); NaN when one class is missing.</summary>
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<int> labels)
    {
        var pos = Enumerable.Range(0, labels.Count).Where(i => labels[i] == 1).Select(i => scores[i]).ToArray();
        var neg = Enumerable.Range(0, labels.Count).Where(i => labels[i] == 0).Select(i => scores[i]).ToArray();
        if (pos.Length == 0 || neg.Length == 0)
        {
            return double.NaN;
        }

        double wins = 0;
        foreach (var p in pos)
        {
            foreach (var q in neg)
            {
                wins += p > q ? 1 : p == q ? 0.5 : 0;
            }
        }

        return wins / ((double)pos.Length * neg.Length);
    }

    /// <summary>
    /// Splits patients into training and validation by patient, stratified by label and seeded: in each class a share
    /// <paramref name="fraction"/> (rounded, at least one when the class has two or more) goes to validation. Patients are
    /// keyed by pseudonym and taken in ordinal order before the seeded shuffle, so the split depends on the patients and the
    /// seed only.
    /// </summary>
    public static (List<string> Training, List<string> Validation) SplitByPatient(IReadOnlyDictionary<string, int> labels, double fraction, long seed)
    {
        var random = new Random(unchecked((int)seed));
        var training = new List<string>();
        var validation = new List<string>();
        foreach (var group in labels.GroupBy(l => l.Value).OrderBy(g => g.Key))
        {
            var ids = group.Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
            random.Shuffle(ids);
            var take = ids.Length < 2 ? 0 : Math.Clamp((int)Math.Round(ids.Length * fraction), 1, ids.Length - 1);
            validation.AddRange(ids.Take(take));
            training.AddRange(ids.Skip(take));
        }

        return (training, validation);
    }

    private static double LogLoss(IReadOnlyList<float> p, IReadOnlyList<int> labels)
    {
        double sum = 0;
        for (var i = 0; i < p.Count; i++)
        {
            var q = Math.Clamp(p[i], 1e-7, 1 - 1e-7);
            sum -= labels[i] == 1 ? Math.Log(q) : Math.Log(1 - q);
        }

        return sum / p.Count;
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static PatientVote Vote(IReadOnlyList<(Guid Patient, int Label)> pairs, IReadOnlyList<float> p)
    {
        var patients = pairs.Select((x, i) => (x.Patient, x.Label, Vote: p[i] > 0.5f ? 1 : 0)).GroupBy(x => x.Patient)
            .Select(g => (Label: g.First().Label, Share: (float)g.Average(x => x.Vote))).ToList();
        var accuracy = patients.Count == 0 ? double.NaN : patients.Average(x => (x.Share > 0.5f ? 1 : 0) == x.Label ? 1.0 : 0.0);
        return new PatientVote(patients.Count, accuracy, Auc(patients.Select(x => x.Share).ToList(), patients.Select(x => x.Label).ToList()));
    }

    private static List<FieldError> Validate(TrainingRequest r)
    {
        var errors = new List<FieldError>();
        if (r.Epochs is < 1 or > 500)
        {
            errors.Add(new("epochs", "Epochs are between 1 and 500"));
        }

        if (r.BatchSize is < 0 or 1 or > 512)
        {
            errors.Add(new("batchSize", "The batch size is 0 (the default, 32) or between 2 and 512"));
        }

        if (!double.IsFinite(r.LearningRate) || r.LearningRate is <= 0 or > 1)
        {
            errors.Add(new("learningRate", "The learning rate is in (0, 1]"));
        }

        if (r.CropSize is < 16 or > 256)
        {
            errors.Add(new("cropSize", "The crop size is between 16 and 256"));
        }

        if (r.Field != 0 && r.Field < PairSettings.MinCropSize)
        {
            errors.Add(new("field", $"The field is 0 (the whole stored crop) or at least {PairSettings.MinCropSize} pixels"));
        }

        if (!double.IsFinite(r.Auxiliary) || r.Auxiliary is < 0 or > 100)
        {
            errors.Add(new("auxiliary", "The auxiliary weight is between 0 (off) and 100"));
        }

        if (r.Patience < 1)
        {
            errors.Add(new("patience", "The patience is at least 1 epoch"));
        }

        if (!double.IsFinite(r.ValidationFraction) || r.ValidationFraction is <= 0 or > 0.5)
        {
            errors.Add(new("validationFraction", "The validation fraction is in (0, 0.5]"));
        }

        var device = (r.Device ?? string.Empty).Trim().ToLowerInvariant();
        if (device is not ("cpu" or "cuda" or "auto") && !(device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device.AsSpan(5), out _)))
        {
            errors.Add(new("device", "The device is cpu, cuda, cuda:N or auto"));
        }

        return errors;
    }

    private static void RequireLearning(AccessScope scope)
    {
        if (!scope.CanRunAnalyses)
        {
            throw new ForbiddenException("Only administrators and principal investigators train networks");
        }
    }

    private async Task RequireTrainedAsync(AccessScope scope, Guid networkId, CancellationToken cancellationToken)
    {
        RequireLearning(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var status = await db.NetworkModels.Where(n => n.Id == networkId).Select(n => (NetworkModelStatus?)n.Status).SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("No such network model");
        if (status != NetworkModelStatus.Trained)
        {
            throw new ValidationFailedException([new("status", $"The network is {status.ToString().ToLowerInvariant()}, not trained")]);
        }
    }

    /// <summary>
    /// Patients of the cohort with an outcome and at least one accepted lesion with pairs: responder (CR/PR) 1, else 0; in
    /// pseudonym order (ordinal).
    /// </summary>
    private static async Task<List<(Guid Id, string Pseudonym, int Label)>> LabelledPatientsAsync(IDerbyDbContext db, int cohortId, CancellationToken cancellationToken)
    {
        var rows = await db.CohortMemberships.Where(m => m.CohortId == cohortId)
            .Join(db.Outcomes, m => m.PatientId, o => o.PatientId, (m, o) => new { m.PatientId, m.Patient!.Pseudonym, o.BestResponse })
            .Where(x => db.PairSets.Any(s => s.Lesion!.PatientId == x.PatientId && s.Lesion.Status == LesionStatus.Accepted && s.PairCount > 0))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.Pseudonym, StringComparer.Ordinal)
            .Select(r => (r.PatientId, r.Pseudonym, r.BestResponse is RecistResponse.CompleteResponse or RecistResponse.PartialResponse ? 1 : 0))];
    }

    /// <summary>
    /// Who a network trains and validates on, and on which pairs, decided by what the data are rather than by the database's
    /// identifiers or the order rows were written: patients by pseudonym, split by <see cref="SplitByPatient"/> over the
    /// pseudonyms, each patient's pair sets (the newest of each accepted lesion, as a model version takes them) by their
    /// content hash. The same study imported again (other GUIDs, lesions segmented in another order) gives the same split and
    /// the same pairs in the same order, so the same seed gives the same network.
    /// </summary>
    internal static async Task<(List<PlannedPatient> Training, List<PlannedPatient> Validation)> PlanTrainingAsync(IDerbyDbContext db, int cohortId, double validationFraction,
        long seed, CancellationToken cancellationToken)
    {
        var labelled = await LabelledPatientsAsync(db, cohortId, cancellationToken);
        var ids = labelled.Select(l => l.Id).ToList();
        var sets = await db.PairSets.AsNoTracking().Where(s => ids.Contains(s.Lesion!.PatientId) && s.Lesion.Status == LesionStatus.Accepted && s.PairCount > 0)
            .Select(s => new { s.Id, s.LesionId, s.Lesion!.PatientId, s.Sha256, s.CreatedUtc }).ToListAsync(cancellationToken);
        var newest = ModelData.NewestPerLesion(sets, s => s.LesionId, s => s.CreatedUtc, s => s.Sha256).ToLookup(s => s.PatientId, s => s.Sha256);
        var planned = labelled.Where(l => newest.Contains(l.Id))
            .ToDictionary(l => l.Pseudonym, l => new PlannedPatient(l.Id, l.Pseudonym, l.Label, [.. newest[l.Id].Order(StringComparer.Ordinal)]), StringComparer.Ordinal);
        var (training, validation) = SplitByPatient(planned.ToDictionary(p => p.Key, p => p.Value.Label, StringComparer.Ordinal), validationFraction, seed);
        return ([.. training.Select(p => planned[p])], [.. validation.Select(p => planned[p])]);
    }

    /// <summary>The pairs of the planned patients, patient after patient, each patient's sets and pairs in the plan's order.</summary>
    private async Task<List<(Guid Patient, PairInput Pair, int Label)>> LoadPairsAsync(IEnumerable<PlannedPatient> patients, TrainingRequest settings,
        CancellationToken cancellationToken)
    {
        var result = new List<(Guid, PairInput, int)>();
        foreach (var patient in patients)
        {
            foreach (var sha in patient.PairSets)
            {
                result.AddRange(ToInputs(await ReadPairSetAsync(sha, cancellationToken), settings).Select(x => (patient.PatientId, x, patient.Label)));
            }
        }

        return result;
    }

    private async Task<Derby.Imaging.Pairs.PairSet> ReadPairSetAsync(string sha256, CancellationToken cancellationToken) =>
        PairSetFile.Read(new MemoryStream(await ReadArtifactAsync(Segmentation.LesionService.PairsKind, sha256, cancellationToken)));

    private async Task<float[][]> ReadFeaturesAsync(string sha256, int rows, CancellationToken cancellationToken)
    {
        var bytes = await ReadArtifactAsync(FeaturesKind, sha256, cancellationToken);
        var width = DerbyPairNet.FeatureSize;
        if (bytes.Length != rows * width * sizeof(float))
        {
            throw new InvalidDataException($"Feature file {sha256} has {bytes.Length} bytes, not {rows} × {width} floats");
        }

        var result = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            result[i] = new float[width];
            Buffer.BlockCopy(bytes, i * width * sizeof(float), result[i], 0, width * sizeof(float));
        }

        return result;
    }

    private async Task<DerbyPairNet> LoadNetworkAsync(NetworkModel model, CancellationToken cancellationToken)
    {
        var bytes = await ReadArtifactAsync(NetworksKind, model.CheckpointSha256!, cancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"derby-load-{Guid.NewGuid():N}.bin");
        try
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            var settings = SettingsOf(model.SettingsJson);
            return DerbyPairNet.Load(path, settings.Seed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An artefact read back and checked against its hash.</summary>
    private Task<byte[]> ReadArtifactAsync(string kind, string sha256, CancellationToken cancellationToken) =>
        artifacts.ReadAsync(kind, sha256, cancellationToken);

    private async Task<NetworkModelView> ViewAsync(IDerbyDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var n = await db.NetworkModels.AsNoTracking().Include(m => m.Cohort).SingleAsync(m => m.Id == id, cancellationToken);
        var features = await db.FeatureSets.CountAsync(f => f.NetworkModelId == id, cancellationToken);
        var pairSets = await db.PairSets.CountAsync(p => p.PairCount > 0, cancellationToken);
        var mixture = await db.MixtureModels.AsNoTracking().Where(m => m.NetworkModelId == id).OrderByDescending(m => m.CreatedUtc).FirstOrDefaultAsync(cancellationToken);
        MixtureView? mixtureView = null;
        if (mixture is not null)
        {
            var withF = await db.PairImageFeatures.CountAsync(f => f.MixtureModelId == mixture.Id, cancellationToken);
            mixtureView = new MixtureView(mixture.Id, mixture.K, mixture.Dimensions, mixture.CovarianceType, JsonSerializer.Deserialize<BicPoint[]>(mixture.BicJson, Json) ?? [],
                mixture.TrainingPairs, withF, mixture.CreatedUtc);
        }

        var history = n.HistoryJson is null ? new NetworkHistory([], null, null) : JsonSerializer.Deserialize<NetworkHistory>(n.HistoryJson, Json) ?? new NetworkHistory([], null, null);
        return new NetworkModelView(n.Id, n.Version, n.Cohort?.Code ?? string.Empty, n.Status, SettingsOf(n.SettingsJson),
            n.CurrentEpoch, n.TotalEpochs, history, n.BestEpoch, n.ValidationAuc, n.CheckpointSha256, n.TrainingPatients, n.ValidationPatients, n.TrainingPairs,
            n.ValidationPairs, n.Error, n.RequestedBy, n.RequestedUtc, n.StartedUtc, n.FinishedUtc, features, pairSets, mixtureView);
    }

    private static AuditEvent Audit(string actor, DateTime when, string action, Guid entity, object? details) => new()
    {
        OccurredUtc = when,
        Actor = actor,
        Action = action,
        EntityType = nameof(NetworkModel),
        EntityId = entity.ToString(),
        Details = details is null ? null : JsonSerializer.Serialize(details, Json),
    };

    /// <summary>The stored form of a mixture's parameters; the projection only when the mixture was fitted on principal components.</summary>
    private sealed record MixtureParameters(string CovarianceType, double[] Weights, double[][] Means, double[][] Covariances,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProjectionParameters? Projection = null);

    /// <summary>The stored principal components a mixture was fitted on: the features' means and divisors, the unit loadings.</summary>
    private sealed record ProjectionParameters(double[] Mean, double[] Scale, double[][] Components);
}
