using System.Reflection;
using System.Text;
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
/// The DERBY / DERBY+ model registry: training requests (only on training or histology cohorts), the training job
/// (LASSO selection of the clinical factors, the pair forest, the single-modality signatures, partial dependence and the
/// deep-feature heatmap), freezing (a manifest hashed with every artefact's hash) and the active version per kind.
/// docs/decisions/0018-derby-models.md has the reasons.
/// </summary>
public sealed class ModelService(IDerbyDbContextFactory dbFactory, IArtifactStore artifacts, IBackgroundJobs jobs, IClock clock, NetworkService networks)
{
    /// <summary>Artefact kind of forests and model JSON files.</summary>
    public const string ModelsKind = "models";

    /// <summary>Fewest usable patients a model is trained on.</summary>
    public const int MinimumPatients = 10;

    /// <summary>Features of the heatmap (the most variable ones across the training patients).</summary>
    public const int HeatmapFeatures = 64;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every model version, newest first.</summary>
    public async Task<IReadOnlyList<ModelVersionView>> ListAsync(AccessScope scope, CancellationToken cancellationToken = default)
    {
        RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var models = await db.ModelVersions.AsNoTracking().Include(m => m.Cohort).Include(m => m.NetworkModel).OrderByDescending(m => m.CreatedUtc).ThenByDescending(m => m.Id)
            .ToListAsync(cancellationToken);
        return [.. models.Select(View)];
    }

    /// <summary>One model version by name.</summary>
    /// <exception cref="NotFoundException">No such version.</exception>
    public async Task<ModelVersionView> GetAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        return View(await FindAsync(db, version, cancellationToken));
    }

    /// <summary>
    /// Records a training request and queues it. Refused with the reason: a cohort that is not a training or histology
    /// cohort (validation and negative-control patients never train a model), no trained network with a mixture, too few
    /// usable patients or one response class only. The same request while one like it is queued or training gives that
    /// one back.
    /// </summary>
    /// <exception cref="ForbiddenException">Not an administrator or principal investigator.</exception>
    /// <exception cref="ValidationFailedException">The request cannot be trained, with the reasons.</exception>
    public async Task<ModelVersionView> RequestTrainingAsync(AccessScope scope, ModelTrainingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (resolved, cohort, network, mixture) = await ResolveAsync(db, request, cancellationToken);
        var settingsJson = JsonSerializer.Serialize(resolved, Json);
        var pending = await db.ModelVersions.AsNoTracking()
            .Where(m => m.SettingsJson == settingsJson && (m.Status == ModelVersionStatus.Queued || m.Status == ModelVersionStatus.Training))
            .Include(m => m.Cohort).Include(m => m.NetworkModel).FirstOrDefaultAsync(cancellationToken);
        if (pending is not null)
        {
            return View(pending);
        }

        var usable = (await UsableAsync(db, resolved.Kind, cohort.Id, mixture.Id, cancellationToken)).Usable;
        if (usable.Count < MinimumPatients || usable.Select(u => u.Responder).Distinct().Count() < 2)
        {
            throw new ValidationFailedException([new("cohort",
                $"Cohort '{cohort.Code}' has {usable.Count} usable patient(s) ({usable.Count(u => u.Responder == true)} responders): a model needs at least {MinimumPatients}, " +
                "with both responders and non-responders, each with an outcome, a clinical record" + (resolved.Kind == ModelKinds.DerbyPlus ? ", IHC scores" : "") +
                $" and pairs with F_img under network {network.Version}")]);
        }

        var now = clock.UtcNow;
        var version = await NewVersionNameAsync(db, resolved.Kind, now, cancellationToken);
        var model = new ModelVersion
        {
            Version = version,
            Kind = resolved.Kind,
            Status = ModelVersionStatus.Queued,
            CohortId = cohort.Id,
            NetworkModelId = network.Id,
            SettingsJson = settingsJson,
            RequestedBy = scope.UserName,
            CreatedUtc = now,
        };
        db.ModelVersions.Add(model);
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEvents.Add(Audit(scope.UserName, now, "model.requested", model.Id, new { version, resolved.Kind, cohort = cohort.Code, network = network.Version, settings = resolved }));
        await db.SaveChangesAsync(cancellationToken);
        jobs.EnqueueModelTraining(model.Id);
        return await GetViewAsync(db, model.Id, cancellationToken);
    }

    /// <summary>
    /// The training job: LASSO on the cohort's usable patients (patient level), the pair forest on [F_img, selected
    /// factors (, GLUT1, PKM)], the clinical and histological signature forests, partial dependence, the deep-feature
    /// heatmap; then the manifest is frozen with its hash. A trained or failed version is left alone; a version found
    /// training (a crashed run) is trained again from the start. Data that cannot be trained marks it failed with the reason.
    /// </summary>
    public async Task RunTrainingAsync(int modelVersionId, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await db.ModelVersions.SingleOrDefaultAsync(m => m.Id == modelVersionId, cancellationToken);
        if (model is null || model.Status is ModelVersionStatus.Trained or ModelVersionStatus.Failed)
        {
            return;
        }

        var request = JsonSerializer.Deserialize<ModelTrainingRequest>(model.SettingsJson!, Json)!;
        model.Status = ModelVersionStatus.Training;
        await SetProgressAsync(db, model, "reading the cohort", progress, cancellationToken);
        try
        {
            var manifest = await TrainAsync(db, model, request, (text) => SetProgressAsync(db, model, text, progress, cancellationToken), cancellationToken);
            var text = JsonSerializer.Serialize(manifest, Json);
            model.ManifestJson = text;
            model.ArtefactSha256 = ModelData.Sha256(text);
            model.Status = ModelVersionStatus.Trained;
            model.TrainedUtc = clock.UtcNow;
            model.Progress = null;
            model.IsActive = !await db.ModelVersions.AnyAsync(m => m.Kind == model.Kind && m.IsActive && m.Id != model.Id, cancellationToken);
            db.AuditEvents.Add(Audit("system", clock.UtcNow, "model.trained", model.Id,
                new { model.Version, manifest = model.ArtefactSha256, selected = manifest.Lasso.Selected, patients = manifest.Patients.Count, pairs = manifest.Forest.Rows }));
            FaultPoints.Pass("model.commit");
            await db.SaveChangesAsync(cancellationToken);
            progress?.Report($"trained {model.Version}: manifest {model.ArtefactSha256}");
        }
        catch (ModelTrainingException ex)
        {
            model.Status = ModelVersionStatus.Failed;
            model.Error = ex.Message;
            model.Progress = null;
            db.AuditEvents.Add(Audit("system", clock.UtcNow, "model.failed", model.Id, new { model.Version, error = ex.Message }));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Makes a trained version the active one of its kind (the one scoring uses when none is named).</summary>
    /// <exception cref="ValidationFailedException">The version is not trained.</exception>
    public async Task<ModelVersionView> ActivateAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await FindAsync(db, version, cancellationToken);
        if (model.Status != ModelVersionStatus.Trained)
        {
            throw new ValidationFailedException([new("version", $"Model {version} is {model.Status.ToString().ToLowerInvariant()}: only a trained model can be active")]);
        }

        foreach (var other in await db.ModelVersions.Where(m => m.Kind == model.Kind && m.IsActive && m.Id != model.Id).ToListAsync(cancellationToken))
        {
            other.IsActive = false;
        }

        model.IsActive = true;
        db.AuditEvents.Add(Audit(scope.UserName, clock.UtcNow, "model.activated", model.Id, new { model.Version, model.Kind }));
        await db.SaveChangesAsync(cancellationToken);
        return View(model);
    }

    /// <summary>The LASSO path and cross-validation curve of a trained version.</summary>
    public async Task<LassoCurve> GetLassoAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        var (_, manifest) = await TrainedAsync(scope, version, cancellationToken);
        return await ReadJsonAsync<LassoCurve>(manifest.LassoPathSha256, cancellationToken);
    }

    /// <summary>The partial dependence curves of a trained version.</summary>
    public async Task<PartialDependenceSet> GetPartialDependenceAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        var (_, manifest) = await TrainedAsync(scope, version, cancellationToken);
        return await ReadJsonAsync<PartialDependenceSet>(manifest.PartialDependenceSha256, cancellationToken);
    }

    /// <summary>
    /// The provenance of a trained version (the printable report's "Model provenance"): its registry entry and its frozen
    /// manifest, checked against the version's SHA-256.
    /// </summary>
    /// <exception cref="InvalidDataException">The stored manifest was altered.</exception>
    public async Task<ModelProvenance> GetProvenanceAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        var (model, manifest) = await TrainedAsync(scope, version, cancellationToken);
        return new ModelProvenance(View(model), manifest);
    }

    /// <summary>The training patients' cross-validated TRS of a trained version.</summary>
    public async Task<CrossValidatedScores> GetCrossValidationAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        var (_, manifest) = await TrainedAsync(scope, version, cancellationToken);
        return await ReadJsonAsync<CrossValidatedScores>(manifest.CrossValidationSha256, cancellationToken);
    }

    /// <summary>The deep-feature heatmap of a trained version; null when its network's features could not be read at training.</summary>
    public async Task<FeatureHeatmap?> GetHeatmapAsync(AccessScope scope, string version, CancellationToken cancellationToken = default)
    {
        var (_, manifest) = await TrainedAsync(scope, version, cancellationToken);
        return manifest.HeatmapSha256 is null ? null : await ReadJsonAsync<FeatureHeatmap>(manifest.HeatmapSha256, cancellationToken);
    }

    /// <summary>
    /// A trained version loaded for scoring: the manifest checked against the version's hash, every forest against the
    /// manifest's hashes.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest or an artefact does not match its hash: the model was altered.</exception>
    internal async Task<LoadedModel> LoadAsync(ModelVersion model, CancellationToken cancellationToken)
    {
        if (model.Status != ModelVersionStatus.Trained || model.ManifestJson is null)
        {
            throw new ValidationFailedException([new("version", $"Model {model.Version} is {model.Status.ToString().ToLowerInvariant()}, not trained")]);
        }

        var manifest = Verify(model);
        var forest = await ReadForestAsync(manifest.Forest.Sha256, cancellationToken);
        var signatures = new Dictionary<string, PairForest>();
        foreach (var s in manifest.Signatures.Where(s => s.Sha256 is not null))
        {
            signatures[s.Name] = await ReadForestAsync(s.Sha256!, cancellationToken);
        }

        return new LoadedModel(model.Id, model.Version, manifest, forest, signatures);
    }

    /// <summary>The manifest of a trained version, checked against the version's hash.</summary>
    /// <exception cref="InvalidDataException">The stored manifest was altered.</exception>
    internal static ModelManifest Verify(ModelVersion model)
    {
        if (ModelData.Sha256(model.ManifestJson!) != model.ArtefactSha256)
        {
            throw new InvalidDataException($"The manifest of model {model.Version} does not match its SHA-256 {model.ArtefactSha256}: the model was altered");
        }

        return JsonSerializer.Deserialize<ModelManifest>(model.ManifestJson!, Json)!;
    }

    private async Task<ModelManifest> TrainAsync(IDerbyDbContext db, ModelVersion model, ModelTrainingRequest request, Func<string, Task> step,
        CancellationToken cancellationToken)
    {
        var cohort = await db.Cohorts.AsNoTracking().SingleAsync(c => c.Id == model.CohortId, cancellationToken);
        var network = await db.NetworkModels.AsNoTracking().SingleAsync(n => n.Id == model.NetworkModelId, cancellationToken);
        var mixture = await db.MixtureModels.AsNoTracking().Where(m => m.NetworkModelId == network.Id).OrderByDescending(m => m.CreatedUtc).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ModelTrainingException($"Network {network.Version} has no mixture: fit it first");
        var (usable, excluded) = await UsableAsync(db, request.Kind, cohort.Id, mixture.Id, cancellationToken);
        if (usable.Count < MinimumPatients || usable.Select(u => u.Responder).Distinct().Count() < 2)
        {
            throw new ModelTrainingException($"{usable.Count} usable patient(s) in cohort '{cohort.Code}' ({usable.Count(u => u.Responder == true)} responders): at least {MinimumPatients} with both classes are needed");
        }

        // LASSO on the patients (one row each): which clinical factors enter the model.
        await step("LASSO selection of the clinical factors");
        // A factor constant in the cohort carries no information (glmnet gives it a zero coefficient): it is left out of the
        // fit and reported with coefficient 0.
        var all = ClinicalFactors.Candidates;
        var varying = Enumerable.Range(0, all.Count).Where(j => usable.Select(u => u.Clinical![j]).Distinct().Count() > 1).ToArray();
        var candidates = varying.Select(j => all[j]).ToArray();
        if (candidates.Length == 0)
        {
            throw new ModelTrainingException($"Every clinical factor is constant over the {usable.Count} usable patients of cohort '{cohort.Code}'");
        }

        var covariates = varying.Select(j => usable.Select(u => u.Clinical![j]).ToArray()).ToArray();
        var outcome = usable.Select(u => u.Responder == true ? 1.0 : 0.0).ToArray();
        var folds = LassoLogistic.RandomFolds(usable.Count, Math.Min(request.Folds, usable.Count), request.Seed);
        LassoCrossValidation cv;
        try
        {
            cv = LassoLogistic.CrossValidate(covariates, candidates, outcome, folds);
        }
        catch (StatisticsException ex)
        {
            throw new ModelTrainingException("The LASSO could not be fitted: " + ex.Message);
        }

        var lambda = request.Lambda == "min" ? cv.LambdaMin : cv.Lambda1se;
        var fit = LassoLogistic.Interpolate(cv.Path, lambda);
        var coefficients = new double[all.Count];
        for (var i = 0; i < varying.Length; i++)
        {
            coefficients[varying[i]] = fit.Coefficients[i];
        }

        var selected = all.Where((_, j) => coefficients[j] != 0).ToList();
        var curve = new LassoCurve(candidates, [.. cv.Path.Fits.Select(f => f.Lambda)], [.. cv.Path.Fits.Select(f => f.Coefficients.ToArray())], cv.MeanDeviance,
            cv.StandardError, cv.LambdaMin, cv.Lambda1se, lambda);
        var lassoSha = await PutJsonAsync(curve, cancellationToken);

        // The pair forest on [F_img, selected factors (, IHC)].
        await step($"random forest on {usable.Sum(u => u.Pairs.Count)} pairs of {usable.Count} patients");
        var k = mixture.K;
        var imageColumns = Enumerable.Range(1, k).Select(i => $"f_img_{i}").ToList();
        var histology = request.Kind == ModelKinds.DerbyPlus ? ClinicalFactors.Histology : [];
        var columns = imageColumns.Concat(selected).Concat(histology).ToList();
        var table = Table(usable, columns, k);
        var labels = usable.ToDictionary(u => u.PatientId.ToString(), u => u.Responder == true);
        var options = Options(request, table);
        var forest = TrainForest(table, labels, options);
        var forestSha = await PutForestAsync(forest, cancellationToken);

        // The single-modality signatures (Fig. 4C): clinical and histological forests; the imaging one is the network's vote.
        await step("single-modality signatures");
        var signatures = new List<SignatureReference>
        {
            selected.Count == 0
                ? new SignatureReference("clinical", [], null, "the LASSO kept no clinical factor")
                : new SignatureReference("clinical", selected, await PutForestAsync(TrainForest(table.SelectColumns(selected), labels, options), cancellationToken), null),
            new SignatureReference("imaging", [], null, network.CheckpointSha256 is null ? "the network has no checkpoint" : null),
        };
        var withHistology = usable.Where(u => u.Histology is not null).ToList();
        if (withHistology.Count >= MinimumPatients && withHistology.Select(u => u.Responder).Distinct().Count() == 2)
        {
            var histologyTable = Table(withHistology, ClinicalFactors.Histology, k);
            signatures.Add(new SignatureReference("histological", ClinicalFactors.Histology,
                await PutForestAsync(TrainForest(histologyTable, withHistology.ToDictionary(u => u.PatientId.ToString(), u => u.Responder == true), options), cancellationToken), null));
        }
        else
        {
            signatures.Add(new SignatureReference("histological", ClinicalFactors.Histology, null, $"{withHistology.Count} training patient(s) with IHC scores and both classes needed"));
        }

        // Cross-validated TRS of the training patients, for an honest training-cohort row in the evaluation.
        await step("cross-validated training scores");
        var cvSha = await PutJsonAsync(CrossValidate(usable, table, labels, options, request), cancellationToken);

        // Partial dependence of the TRS on every input, over the training pairs (Fig. 3D).
        await step("partial dependence");
        var curves = columns.Select(c => PartialDependence.Compute(forest, table, table, c)).ToList();
        var pdSha = await PutJsonAsync(new PartialDependenceSet(curves), cancellationToken);

        // The deep-feature heatmap (Fig. 3C).
        await step("deep-feature heatmap");
        var heatmapSha = await HeatmapAsync(network.Id, usable, cancellationToken) is { } heatmap ? await PutJsonAsync(heatmap, cancellationToken) : null;

        return new ModelManifest(
            model.Version, model.Kind, cohort.Code, request.Threshold,
            new NetworkReference(network.Id, network.Version, network.CheckpointSha256 ?? ""),
            new MixtureReference(mixture.Id, mixture.K, mixture.ParametersSha256),
            columns,
            new LassoSummary(request.Lambda, lambda, cv.LambdaMin, cv.Lambda1se, all, coefficients, selected),
            new ForestReference(forestSha, options, table.Count),
            signatures,
            [.. usable.Select(u => new ManifestPatient(u.PatientId, u.Responder == true, [.. u.Pairs.Select(p => p.ImagePairId)], u.Hashes!.Combined))],
            [.. excluded.Select(e => new ExcludedPatient(e.PatientId, e.Missing!))],
            request,
            CodeVersion,
            lassoSha, pdSha, heatmapSha, cvSha);
    }

    /// <summary>Folds of the cross-validated training scores.</summary>
    public const int CrossValidationFolds = 5;

    /// <summary>Each training patient's TRS from a forest that did not see it (patient-level folds, stratified by response, seeded).</summary>
    private static CrossValidatedScores CrossValidate(IReadOnlyList<PatientInputs> usable, PairTable table, IReadOnlyDictionary<string, bool> labels,
        RandomForestOptions options, ModelTrainingRequest request)
    {
        var random = new Random(request.Seed);
        var fold = new Dictionary<string, int>();
        foreach (var group in usable.GroupBy(u => u.Responder == true))
        {
            var ids = group.Select(u => u.PatientId.ToString()).ToArray();
            random.Shuffle(ids);
            for (var i = 0; i < ids.Length; i++)
            {
                fold[ids[i]] = i % CrossValidationFolds;
            }
        }

        var scores = new Dictionary<Guid, double>();
        for (var f = 0; f < CrossValidationFolds; f++)
        {
            var train = table.SelectPatients(fold.Where(x => x.Value != f).Select(x => x.Key));
            var test = table.SelectPatients(fold.Where(x => x.Value == f).Select(x => x.Key));
            if (test.Count == 0 || train.Patients.Select(p => labels[p]).Distinct().Count() < 2)
            {
                continue;
            }

            var forest = TrainForest(train, labels, options);
            foreach (var r in TherapyResponseScore.Compute(test, forest.PredictPairs(test), request.Threshold))
            {
                scores[Guid.Parse(r.PatientKey)] = r.Score;
            }
        }

        return new CrossValidatedScores(CrossValidationFolds, scores);
    }

    /// <summary>The code's version (assembly informational version, with the commit where the build records it).</summary>
    public static string CodeVersion { get; } =
        typeof(ModelService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>A forest of the model; the forest's refusals (e.g. leaves too large for the pairs there are) fail the training with their reason.</summary>
    private static PairForest TrainForest(PairTable table, IReadOnlyDictionary<string, bool> labels, RandomForestOptions options)
    {
        try
        {
            return PairForest.Train(table, labels, options);
        }
        catch (ArgumentException ex)
        {
            throw new ModelTrainingException($"The random forest could not be trained on {table.Count} pairs of {table.Patients.Count} patients: {ex.Message}");
        }
    }

    /// <summary>
    /// The forest options of a request for a training table (threads left to ML.NET's default: they do not change the
    /// trees). Without a pair count asked for, a leaf holds at least the pairs of
    /// <see cref="ModelTrainingRequest.DefaultPatientsPerLeaf"/> patients of <paramref name="table"/> on average; the
    /// manifest records the count used. Without a table (checking a request's settings) that default reads as 1.
    /// </summary>
    internal static RandomForestOptions Options(ModelTrainingRequest request, PairTable? table = null) => new()
    {
        Trees = request.Trees,
        MaximumLeaves = request.MaximumLeaves,
        MinimumExamplesPerLeaf = request.MinimumExamplesPerLeaf ?? (table is null || table.Count == 0 ? 1 : DefaultPairsPerLeaf(table)),
        FeatureFractionPerSplit = request.FeatureFractionPerSplit,
        BaggingFraction = request.BaggingFraction,
        Seed = request.Seed,
    };

    /// <summary>The pairs of <see cref="ModelTrainingRequest.DefaultPatientsPerLeaf"/> patients of the table on average (at least 1).</summary>
    internal static int DefaultPairsPerLeaf(PairTable table) =>
        Math.Max(1, (int)Math.Round(ModelTrainingRequest.DefaultPatientsPerLeaf * (double)table.Count / table.Patients.Count, MidpointRounding.AwayFromZero));

    /// <summary>One row per pair: the named columns taken from F_img (f_img_1..K), the clinical candidates and the IHC scores.</summary>
    internal static PairTable Table(IEnumerable<PatientInputs> patients, IReadOnlyList<string> columns, int k)
    {
        var rows = new List<PairRow>();
        foreach (var p in patients)
        {
            foreach (var pair in p.Pairs)
            {
                if (pair.Fimg.Length != k)
                {
                    throw new ModelTrainingException($"Pair {pair.ImagePairId} has {pair.Fimg.Length} mixture responsibilities where the mixture has {k}");
                }

                var values = new float[columns.Count];
                for (var c = 0; c < columns.Count; c++)
                {
                    values[c] = (float)Value(p, pair, columns[c]);
                }

                rows.Add(new PairRow(p.PatientId.ToString(), pair.ImagePairId.ToString(System.Globalization.CultureInfo.InvariantCulture), pair.RoiArea, values));
            }
        }

        return PairTable.Create(columns, rows);
    }

    private static double Value(PatientInputs p, PairInputs pair, string column)
    {
        if (column.StartsWith("f_img_", StringComparison.Ordinal))
        {
            return pair.Fimg[int.Parse(column.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture) - 1];
        }

        var j = IndexOf(ClinicalFactors.Candidates, column);
        if (j >= 0)
        {
            return p.Clinical![j];
        }

        j = IndexOf(ClinicalFactors.Histology, column);
        return j >= 0 && p.Histology is not null ? p.Histology[j] : throw new ModelTrainingException($"Patient {p.PatientId} has no value for {column}");
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The cohort's members split into those a model of <paramref name="kind"/> can train on and the rest (with why).</summary>
    private static async Task<(List<PatientInputs> Usable, List<PatientInputs> Excluded)> UsableAsync(IDerbyDbContext db, string kind, int cohortId, Guid mixtureId,
        CancellationToken cancellationToken)
    {
        var members = await db.CohortMemberships.AsNoTracking().Where(m => m.CohortId == cohortId).Select(m => m.PatientId).ToListAsync(cancellationToken);
        var inputs = await ModelData.ReadAsync(db, mixtureId, members, kind == ModelKinds.DerbyPlus, cancellationToken);
        var usable = new List<PatientInputs>();
        var excluded = new List<PatientInputs>();
        foreach (var p in inputs)
        {
            if (p.Missing is null && p.Responder is not null)
            {
                usable.Add(p);
            }
            else
            {
                excluded.Add(p.Missing is null ? p with { Missing = "no outcome (best response)" } : p);
            }
        }

        return (usable, excluded);
    }

    private async Task<FeatureHeatmap?> HeatmapAsync(Guid networkId, IReadOnlyList<PatientInputs> patients, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<long, float[]> features;
        try
        {
            features = await networks.ReadPairFeaturesAsync(networkId, [.. patients.SelectMany(p => p.PairSetIds).Distinct()], cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or InvalidDataException)
        {
            return null;
        }

        var width = features.Values.First().Length;
        var means = patients.Select(p =>
        {
            var sum = new double[width];
            double area = 0;
            foreach (var pair in p.Pairs)
            {
                var f = features[pair.ImagePairId];
                for (var j = 0; j < width; j++)
                {
                    sum[j] += pair.RoiArea * f[j];
                }

                area += pair.RoiArea;
            }

            return sum.Select(v => v / area).ToArray();
        }).ToList();
        var n = means.Count;
        var mean = Enumerable.Range(0, width).Select(j => means.Average(m => m[j])).ToArray();
        var sd = Enumerable.Range(0, width).Select(j => Math.Sqrt(means.Sum(m => (m[j] - mean[j]) * (m[j] - mean[j])) / Math.Max(1, n - 1))).ToArray();
        var chosen = Enumerable.Range(0, width).Where(j => sd[j] > 0).OrderByDescending(j => sd[j]).ThenBy(j => j).Take(HeatmapFeatures).Order().ToArray();
        if (chosen.Length < 2 || n < 2)
        {
            return null;
        }

        var matrix = new double[n, chosen.Length];
        var values = new List<double[]>(n);
        for (var i = 0; i < n; i++)
        {
            var row = new double[chosen.Length];
            for (var c = 0; c < chosen.Length; c++)
            {
                row[c] = matrix[i, c] = (means[i][chosen[c]] - mean[chosen[c]]) / sd[chosen[c]];
            }

            values.Add(row);
        }

        var rows = HierarchicalClustering.ClusterRows(matrix);
        var cols = HierarchicalClustering.ClusterColumns(matrix);
        return new FeatureHeatmap([.. patients.Select(p => p.PatientId)], [.. patients.Select(p => p.Responder == true)], chosen, values, rows.LeafOrder, cols.LeafOrder, rows.Merges);
    }

    private async Task<(ModelVersion Model, ModelManifest Manifest)> TrainedAsync(AccessScope scope, string version, CancellationToken cancellationToken)
    {
        RequireModels(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var model = await FindAsync(db, version, cancellationToken);
        if (model.Status != ModelVersionStatus.Trained)
        {
            throw new ValidationFailedException([new("version", $"Model {version} is {model.Status.ToString().ToLowerInvariant()}, not trained")]);
        }

        return (model, Verify(model));
    }

    private async Task<(ModelTrainingRequest Request, Cohort Cohort, NetworkModel Network, MixtureModel Mixture)> ResolveAsync(IDerbyDbContext db, ModelTrainingRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (!ModelKinds.All.Contains(request.Kind))
        {
            errors.Add(new("kind", $"Unknown model '{request.Kind}': use {string.Join(" or ", ModelKinds.All)}"));
        }

        if (request.Lambda is not ("1se" or "min"))
        {
            errors.Add(new("lambda", $"Unknown LASSO rule '{request.Lambda}': use 1se or min"));
        }

        if (request.Folds is < 3 or > 20)
        {
            errors.Add(new("folds", "Folds must be between 3 and 20"));
        }

        if (request.Threshold is <= 0 or >= 1 || double.IsNaN(request.Threshold))
        {
            errors.Add(new("threshold", "The threshold must lie strictly between 0 and 1"));
        }

        try
        {
            Options(request).Validate();
        }
        catch (ArgumentException ex)
        {
            errors.Add(new("forest", ex.Message));
        }

        var code = request.Cohort ?? (request.Kind == ModelKinds.DerbyPlus ? "histology" : "training");
        var cohort = await db.Cohorts.AsNoTracking().SingleOrDefaultAsync(c => c.Code == code, cancellationToken);
        if (cohort is null)
        {
            errors.Add(new("cohort", $"No cohort with code '{code}'"));
        }
        else if (cohort.Kind is not (CohortKind.Training or CohortKind.Histology))
        {
            errors.Add(new("cohort", $"Cohort '{cohort.Code}' is {Describe(cohort.Kind)} cohort: models are trained on training or histology cohorts only, so that " +
                "validation and negative-control patients never shape the model they test"));
        }

        var networkQuery = db.NetworkModels.AsNoTracking().Where(n => n.Status == NetworkModelStatus.Trained);
        var network = request.NetworkVersion is { } name
            ? await networkQuery.SingleOrDefaultAsync(n => n.Version == name, cancellationToken)
            : await networkQuery.Where(n => db.MixtureModels.Any(m => m.NetworkModelId == n.Id)).OrderByDescending(n => n.RequestedUtc).FirstOrDefaultAsync(cancellationToken);
        MixtureModel? mixture = null;
        if (network is null)
        {
            errors.Add(new("network", request.NetworkVersion is null ? "No trained network with a mixture: train a network, extract its features and fit the mixture first"
                : $"No trained network {request.NetworkVersion}"));
        }
        else
        {
            mixture = await db.MixtureModels.AsNoTracking().Where(m => m.NetworkModelId == network.Id).OrderByDescending(m => m.CreatedUtc).FirstOrDefaultAsync(cancellationToken);
            if (mixture is null)
            {
                errors.Add(new("network", $"Network {network.Version} has no mixture: fit it first (its F_img are the model's image features)"));
            }
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        return (request with { Cohort = cohort!.Code, NetworkVersion = network!.Version }, cohort, network, mixture!);
    }

    private static string Describe(CohortKind kind) => kind switch
    {
        CohortKind.InternalValidation => "an internal validation",
        CohortKind.ExternalValidation => "an external validation",
        CohortKind.NegativeControl => "a negative control",
        _ => "a " + kind.ToString().ToLowerInvariant(),
    };

    private static async Task<string> NewVersionNameAsync(IDerbyDbContext db, string kind, DateTime now, CancellationToken cancellationToken)
    {
        var version = $"{kind}-{now:yyyyMMdd-HHmmss}";
        var taken = await db.ModelVersions.Where(m => m.Version.StartsWith(version)).Select(m => m.Version).ToListAsync(cancellationToken);
        var name = version;
        for (var i = 2; taken.Contains(name); i++)
        {
            name = $"{version}-{i}";
        }

        return name;
    }

    private static async Task<ModelVersion> FindAsync(IDerbyDbContext db, string version, CancellationToken cancellationToken) =>
        await db.ModelVersions.Include(m => m.Cohort).Include(m => m.NetworkModel).SingleOrDefaultAsync(m => m.Version == version, cancellationToken)
            ?? throw new NotFoundException($"No model version {version}");

    private static async Task<ModelVersionView> GetViewAsync(IDerbyDbContext db, int id, CancellationToken cancellationToken) =>
        View(await db.ModelVersions.AsNoTracking().Include(m => m.Cohort).Include(m => m.NetworkModel).SingleAsync(m => m.Id == id, cancellationToken));

    internal static ModelVersionView View(ModelVersion m)
    {
        var manifest = m.Status == ModelVersionStatus.Trained && m.ManifestJson is not null ? JsonSerializer.Deserialize<ModelManifest>(m.ManifestJson, Json) : null;
        return new ModelVersionView(m.Id, m.Version, m.Kind, m.Status, m.IsActive, m.Cohort?.Code, m.NetworkModel?.Version, m.Progress, m.Error, m.ArtefactSha256,
            m.RequestedBy, m.CreatedUtc, m.TrainedUtc, manifest?.Lasso.Selected, manifest?.Columns, manifest?.Patients.Count, manifest?.Forest.Rows, manifest?.Threshold);
    }

    private async Task SetProgressAsync(IDerbyDbContext db, ModelVersion model, string text, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        model.Progress = text;
        await db.SaveChangesAsync(cancellationToken);
        progress?.Report(text);
    }

    private async Task<string> PutForestAsync(PairForest forest, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var sha = forest.Save(buffer);
        var (stored, _) = await artifacts.PutAsync(ModelsKind, buffer.ToArray(), cancellationToken);
        return stored == sha ? sha : throw new InvalidOperationException("The stored forest's hash differs from the forest's own");
    }

    private async Task<PairForest> ReadForestAsync(string sha256, CancellationToken cancellationToken) =>
        PairForest.Load(new MemoryStream(await artifacts.ReadAsync(ModelsKind, sha256, cancellationToken)), sha256);

    private async Task<string> PutJsonAsync<T>(T value, CancellationToken cancellationToken) =>
        (await artifacts.PutAsync(ModelsKind, JsonSerializer.SerializeToUtf8Bytes(value, Json), cancellationToken)).Sha256;

    private async Task<T> ReadJsonAsync<T>(string sha256, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<T>(await artifacts.ReadAsync(ModelsKind, sha256, cancellationToken), Json)!;

    internal static void RequireModels(AccessScope scope)
    {
        if (!scope.CanRunAnalyses)
        {
            throw new ForbiddenException("Only administrators and principal investigators manage models");
        }
    }

    internal static AuditEvent Audit(string actor, DateTime when, string action, int entity, object? details) =>
        Application.Audit.AuditEvents.Create(actor, when, action, nameof(ModelVersion), entity.ToString(System.Globalization.CultureInfo.InvariantCulture), null, details);
}

/// <summary>A trained version ready to score: its manifest and forests, all hash-checked.</summary>
internal sealed record LoadedModel(int Id, string Version, ModelManifest Manifest, PairForest Forest, IReadOnlyDictionary<string, PairForest> Signatures);

/// <summary>The data cannot train the model (the model version is marked failed with this message).</summary>
public sealed class ModelTrainingException(string message) : Exception(message);
