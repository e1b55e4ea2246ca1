using System.Security.Cryptography;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Models;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Reviews;

/// <summary>
/// The reviewers' workspace (ADR 24): a queue of predictions, everything that produced each one, its inputs re-verified
/// against the stores, and the review workflow. A reviewer agrees, disagrees or asks the site for a correction, with a
/// comment. A disagreement is decided by a second, different reviewer (adjudication). A "needs site correction" verdict
/// opens a query on the site coordinators' task list; their answer sends the case back to the queue (and, when the answer
/// came with corrected data, queues a new score of the patient with the same model version). Reviewers never edit study
/// data. Reviewers, principal investigators and administrators read the queue; only reviewers give verdicts; only the
/// patient's site coordinators answer its queries. Every step is an audit event of the patient's site.
/// </summary>
public sealed class ReviewService(IDerbyDbContextFactory dbFactory, IClock clock, IDicomStore dicomStore, IArtifactStore artifacts, IBackgroundJobs jobs)
{
    /// <summary>Longest comment, question or answer.</summary>
    public const int MaxTextLength = 2000;

    private static readonly JsonSerializerOptions Json = ModelService.Json;

    private static readonly ReviewStatus[] VerdictStatuses = [ReviewStatus.Agreed, ReviewStatus.Disagreed, ReviewStatus.NeedsSiteCorrection];

    /// <summary>Reviewers, principal investigators and administrators (and the system).</summary>
    public static bool CanReadReviews(AccessScope scope) =>
        scope.CanRunAnalyses || scope.Roles.Contains(DerbyRoles.Reviewer);

    /// <summary>The queue: predictions matching the filter, newest first.</summary>
    /// <exception cref="ForbiddenException">Not a reviewer, principal investigator or administrator.</exception>
    public async Task<ReviewQueuePage> QueueAsync(AccessScope scope, ReviewQueueFilter filter, CancellationToken cancellationToken = default)
    {
        RequireReader(scope);
        if (filter.Page < 0 || filter.PageSize is < 1 or > 500)
        {
            throw new ValidationFailedException([new FieldError("page", "The page is 0 or more and holds 1 to 500 predictions")]);
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var rows = from p in db.Predictions.AsNoTracking()
                   join c in db.ReviewCases.AsNoTracking() on p.Id equals c.PredictionId into cases
                   from c in cases.DefaultIfEmpty()
                   select new
                   {
                       p.Id, p.PatientId, p.Patient!.Pseudonym, Site = p.Patient.Site!.Code, Model = p.ModelVersion!.Version, p.ModelVersion.Kind, p.Trs,
                       p.PredictedResponder, p.IsStale, p.CreatedUtc,
                       Status = c == null ? ReviewStatus.Pending : c.Status,
                       Awaiting = c != null && c.AwaitingAdjudication,
                       Verdicts = c == null ? 0 : c.Verdicts,
                       Updated = c == null ? (DateTime?)null : c.UpdatedUtc,
                       OpenQuery = db.SiteQueries.Any(q => q.PredictionId == p.Id && q.Status == SiteQueryStatus.Open),
                   };
        if (!filter.IncludeStale)
        {
            rows = rows.Where(r => !r.IsStale);
        }

        if (!string.IsNullOrWhiteSpace(filter.Site))
        {
            rows = rows.Where(r => r.Site == filter.Site);
        }

        if (!string.IsNullOrWhiteSpace(filter.Model))
        {
            rows = rows.Where(r => r.Model == filter.Model);
        }

        if (!string.IsNullOrWhiteSpace(filter.Cohort))
        {
            var cohort = filter.Cohort;
            rows = rows.Where(r => db.CohortMemberships.Any(m => m.PatientId == r.PatientId && m.Cohort!.Code == cohort));
        }

        if (filter.Status is { } status)
        {
            rows = rows.Where(r => r.Status == status);
        }

        if (filter.AwaitingAdjudication is { } awaiting)
        {
            rows = rows.Where(r => r.Awaiting == awaiting);
        }

        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(r => r.CreatedUtc).ThenBy(r => r.Id).Skip(filter.Page * filter.PageSize).Take(filter.PageSize)
            .ToListAsync(cancellationToken);
        return new ReviewQueuePage(total, filter.Page, filter.PageSize, [.. page.Select(r => new ReviewQueueItem(r.Id, r.PatientId, r.Pseudonym, r.Site, r.Model, r.Kind, r.Trs,
            r.PredictedResponder, r.IsStale, r.CreatedUtc, r.Status, r.Awaiting, r.OpenQuery, r.Verdicts, r.Updated))]);
    }

    /// <summary>Everything that produced the prediction, its review so far, and what the caller may do.</summary>
    /// <exception cref="ForbiddenException">Not a reviewer, principal investigator or administrator.</exception>
    /// <exception cref="NotFoundException">No such prediction.</exception>
    public async Task<PredictionReview> GetAsync(AccessScope scope, Guid predictionId, CancellationToken cancellationToken = default)
    {
        RequireReader(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var p = await db.Predictions.AsNoTracking().Include(x => x.Patient!).ThenInclude(x => x.Site).Include(x => x.ModelVersion)
            .SingleOrDefaultAsync(x => x.Id == predictionId, cancellationToken) ?? throw new NotFoundException("No such prediction");
        var patient = p.Patient!;
        var model = p.ModelVersion!;
        var cohorts = await db.CohortMemberships.AsNoTracking().Where(m => m.PatientId == p.PatientId).Select(m => m.Cohort!.Code).OrderBy(c => c)
            .ToListAsync(cancellationToken);
        Guid? current = null;
        if (p.IsStale)
        {
            current = await db.Predictions.AsNoTracking().Where(x => x.PatientId == p.PatientId && x.ModelVersionId == p.ModelVersionId && !x.IsStale)
                .OrderByDescending(x => x.CreatedUtc).Select(x => (Guid?)x.Id).FirstOrDefaultAsync(cancellationToken);
        }

        var features = p.FeaturesJson is null ? null : JsonSerializer.Deserialize<PredictionFeatures>(p.FeaturesJson, Json);
        var scores = p.PairScoresJson is null ? [] : JsonSerializer.Deserialize<List<PairScore>>(p.PairScoresJson, Json)!;
        var pairIds = scores.Select(s => s.ImagePairId).ToList();
        var placed = await db.ImagePairs.AsNoTracking().Where(x => pairIds.Contains(x.Id))
            .Select(x => new { x.Id, x.PetSlice, x.PairSet!.LesionId }).ToDictionaryAsync(x => x.Id, cancellationToken);
        var columns = features?.Columns ?? [];
        var fimgColumns = columns.Where(IsFimg).ToList();
        var inputs = new List<ReviewInput>();
        if (features is { Rows.Count: > 0 })
        {
            for (var j = 0; j < columns.Count; j++)
            {
                if (!IsFimg(columns[j]))
                {
                    inputs.Add(new ReviewInput(columns[j], features.Rows[0][j]));
                }
            }
        }

        var totalArea = scores.Sum(s => (double)s.RoiArea);
        var pairs = scores.Select((s, i) =>
        {
            var weight = totalArea > 0 ? s.RoiArea / totalArea : 1.0 / scores.Count;
            var row = features is not null && i < features.Rows.Count ? features.Rows[i] : [];
            var fimg = columns.Select((c, j) => (c, j)).Where(x => IsFimg(x.c) && x.j < row.Length).Select(x => row[x.j]).ToList();
            var where = placed.GetValueOrDefault(s.ImagePairId);
            return new ReviewPair(s.ImagePairId, where?.LesionId, where?.PetSlice, s.RoiArea, weight, s.Probability, weight * s.Probability, fimg);
        }).ToList();

        var (reviewCase, verdicts, queries) = await HistoryAsync(db, [predictionId], cancellationToken);
        var others = await db.Predictions.AsNoTracking().Where(x => x.PatientId == p.PatientId && x.ModelVersionId == p.ModelVersionId && x.Id != p.Id)
            .Select(x => x.Id).ToListAsync(cancellationToken);
        var (_, earlierVerdicts, earlierQueries) = await HistoryAsync(db, others, cancellationToken);
        var caseView = reviewCase.GetValueOrDefault(predictionId) is { } c ? View(c) : new ReviewCaseView(predictionId, ReviewStatus.Pending, false, null, null, 0, null, null);

        return new PredictionReview(
            p.Id, p.PatientId, patient.Pseudonym, patient.Site!.Code, cohorts, p.Trs, p.PredictedResponder, p.Threshold, p.IsStale, current, p.CreatedUtc, p.RequestedBy,
            inputs, fimgColumns, pairs,
            p.SignaturesJson is null ? [] : JsonSerializer.Deserialize<List<SignatureScore>>(p.SignaturesJson, Json)!,
            Provenance(model),
            p.InputsSha256 ?? "",
            p.InputHashesJson is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(p.InputHashesJson, Json)!,
            caseView, verdicts, queries, earlierVerdicts, earlierQueries,
            Permission(scope, caseView, p.IsStale, current, queries.Where(q => q.Status == SiteQueryStatus.Open).Select(q => ((string, DateTime)?)(q.RaisedBy, q.RaisedUtc)).FirstOrDefault()));
    }

    /// <summary>
    /// Re-verifies the prediction's inputs: each input hash recomputed from the patient's data now, and every file it was
    /// computed from read back from the stores and hashed (the DICOM instances of the pairs' PET and CT series, the pair
    /// sets, the model's manifest and forests).
    /// </summary>
    public async Task<InputVerification> VerifyInputsAsync(AccessScope scope, Guid predictionId, CancellationToken cancellationToken = default)
    {
        RequireReader(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var p = await db.Predictions.AsNoTracking().Include(x => x.ModelVersion).SingleOrDefaultAsync(x => x.Id == predictionId, cancellationToken)
            ?? throw new NotFoundException("No such prediction");
        var stored = p.InputHashesJson is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(p.InputHashesJson, Json)!;
        var store = new List<StoreCheck>();

        // The model: its manifest against the hash it was frozen under, then its forests against their addresses.
        ModelManifest? manifest = null;
        var modelProblems = new List<string>();
        try
        {
            manifest = ModelService.Verify(p.ModelVersion!);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or ArgumentNullException)
        {
            modelProblems.Add(ex.Message);
        }

        var forests = manifest is null ? [] : new[] { manifest.Forest.Sha256 }.Concat(manifest.Signatures.Where(s => s.Sha256 is not null).Select(s => s.Sha256!)).ToList();
        var (fIntact, fMissing, fAltered) = await CheckArtefactsAsync(ModelService.ModelsKind, forests, modelProblems, cancellationToken);
        store.Add(new StoreCheck("model manifest and forests", 1 + forests.Count, (manifest is null ? 0 : 1) + fIntact, fMissing, fAltered + (manifest is null ? 1 : 0), modelProblems));

        // The pairs the prediction voted with: their pair sets and the PET and CT series those were built from.
        var pairIds = (p.PairScoresJson is null ? [] : JsonSerializer.Deserialize<List<PairScore>>(p.PairScoresJson, Json)!).Select(s => s.ImagePairId).ToList();
        var sets = await db.ImagePairs.AsNoTracking().Where(x => pairIds.Contains(x.Id)).Select(x => new { x.PairSet!.Id, x.PairSet.Sha256, x.PairSet.CtSeriesId, x.PairSet.Lesion!.PetSeriesId })
            .Distinct().ToListAsync(cancellationToken);
        var setProblems = new List<string>();
        var (sIntact, sMissing, sAltered) = await CheckArtefactsAsync(Segmentation.LesionService.PairsKind, sets.Select(s => s.Sha256).Distinct().ToList(), setProblems, cancellationToken);
        if (pairIds.Count > 0 && sets.Count == 0)
        {
            setProblems.Add("the prediction's pairs are no longer in the database");
            sMissing++;
        }

        store.Add(new StoreCheck("2.5D pair sets", sets.Count, sIntact, sMissing, sAltered, setProblems));
        var seriesIds = sets.SelectMany(s => new[] { s.PetSeriesId, s.CtSeriesId }).Distinct().ToList();
        var instances = await db.ImagingInstances.AsNoTracking().Where(i => seriesIds.Contains(i.SeriesId)).Select(i => new { i.SopInstanceUid, i.Sha256 })
            .ToListAsync(cancellationToken);
        int iIntact = 0, iMissing = 0, iAltered = 0;
        var instanceProblems = new List<string>();
        foreach (var instance in instances)
        {
            var path = dicomStore.PathOf(instance.Sha256);
            if (!File.Exists(path))
            {
                iMissing++;
                Note(instanceProblems, $"instance {instance.SopInstanceUid}: its file is missing from the DICOM store");
                continue;
            }

            await using var file = File.OpenRead(path);
            if (Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken)) == instance.Sha256)
            {
                iIntact++;
            }
            else
            {
                iAltered++;
                Note(instanceProblems, $"instance {instance.SopInstanceUid}: its file does not match its SHA-256 (altered in the store)");
            }
        }

        store.Add(new StoreCheck("DICOM instances", instances.Count, iIntact, iMissing, iAltered, instanceProblems));

        // The input hashes, recomputed from the patient's data now as scoring computes them.
        var checks = new List<InputHashCheck>();
        if (manifest is not null)
        {
            var now = (await ModelData.ReadAsync(db, manifest.Mixture.Id, [p.PatientId], manifest.Kind == ModelKinds.DerbyPlus, cancellationToken)).Single();
            var current = now.Hashes is null ? null : new Dictionary<string, string>
            {
                ["instances"] = now.Hashes.Instances, ["pair_sets"] = now.Hashes.PairSets, ["f_img"] = now.Hashes.Fimg, ["clinical"] = now.Hashes.Clinical,
                ["histology"] = now.Hashes.Histology,
            };
            foreach (var (name, hash) in stored.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var value = current?.GetValueOrDefault(name);
                checks.Add(new InputHashCheck(name, hash, value, value == hash,
                    value is null ? $"cannot be read now: {now.Missing}" : value == hash ? "unchanged since scoring" : "changed since scoring"));
            }
        }

        return new InputVerification(p.Id, store.All(s => s.Missing == 0 && s.Altered == 0), checks.Count > 0 && checks.All(c => c.Matches), checks, store, clock.UtcNow);
    }

    /// <summary>Records a reviewer's verdict and moves the case on (see the class summary).</summary>
    /// <exception cref="ForbiddenException">Not a reviewer.</exception>
    /// <exception cref="NotFoundException">No such prediction.</exception>
    /// <exception cref="ValidationFailedException">Not a verdict, or a missing or unusable comment.</exception>
    /// <exception cref="ConflictException">The case does not take this verdict now (decided, waiting for the site or a second reviewer, stale, changed meanwhile).</exception>
    public async Task<ReviewCaseView> RecordVerdictAsync(AccessScope scope, Guid predictionId, VerdictInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!scope.Roles.Contains(DerbyRoles.Reviewer))
        {
            throw new ForbiddenException("Only reviewers give verdicts on predictions");
        }

        var errors = new List<FieldError>();
        if (!VerdictStatuses.Contains(input.Status))
        {
            errors.Add(new FieldError("status", "A verdict is agreed, disagreed or needs site correction"));
        }

        var comment = FreeText.Normalize("comment", input.Comment, MaxTextLength, input.Status != ReviewStatus.Agreed, errors,
            input.Status == ReviewStatus.NeedsSiteCorrection ? "Say what the site should check or correct" : "Say why you disagree");
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var prediction = await db.Predictions.AsNoTracking().Where(p => p.Id == predictionId)
            .Select(p => new { p.Id, p.PatientId, p.IsStale, p.ModelVersionId, p.Patient!.SiteId, p.Patient.Pseudonym, Model = p.ModelVersion!.Version })
            .SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException("No such prediction");
        var reviewCase = await db.ReviewCases.SingleOrDefaultAsync(c => c.PredictionId == predictionId, cancellationToken);
        var openQuery = (await db.SiteQueries.AsNoTracking().Where(q => q.PredictionId == predictionId && q.Status == SiteQueryStatus.Open)
            .Select(q => new { q.RaisedBy, q.RaisedUtc }).FirstOrDefaultAsync(cancellationToken)) is { } q ? (q.RaisedBy, q.RaisedUtc) : ((string, DateTime)?)null;
        var before = reviewCase is null ? new ReviewCaseView(predictionId, ReviewStatus.Pending, false, null, null, 0, null, null) : View(reviewCase);
        if (input.ExpectedVersion is { } expected && expected != (before.Version ?? Guid.Empty))
        {
            throw new ConflictException("The review changed since you opened it (another verdict or a site answer): reload it and look again");
        }

        Guid? current = null;
        if (prediction.IsStale)
        {
            current = await db.Predictions.AsNoTracking().Where(x => x.PatientId == prediction.PatientId && x.ModelVersionId == prediction.ModelVersionId && !x.IsStale)
                .Select(x => (Guid?)x.Id).FirstOrDefaultAsync(cancellationToken);
        }

        var permission = Permission(scope, before, prediction.IsStale, current, openQuery);
        if (!permission.CanAct)
        {
            throw new ConflictException(permission.Reason!);
        }

        var now = clock.UtcNow;
        if (reviewCase is null)
        {
            reviewCase = new ReviewCase { PredictionId = predictionId };
            db.ReviewCases.Add(reviewCase);
        }

        var adjudication = permission.IsAdjudication;
        var verdict = new Review
        {
            Id = Guid.NewGuid(), PredictionId = predictionId, ReviewerId = scope.UserName, Status = input.Status, Comment = comment, IsAdjudication = adjudication,
            CreatedUtc = now,
        };
        db.Reviews.Add(verdict);
        switch (input.Status)
        {
            case ReviewStatus.Agreed:
                reviewCase.Status = ReviewStatus.Agreed;
                break;
            case ReviewStatus.Disagreed:
                reviewCase.Status = ReviewStatus.Disagreed;
                if (!adjudication)
                {
                    reviewCase.DisagreedBy = scope.UserName;
                }

                break;
            default:
                reviewCase.Status = ReviewStatus.NeedsSiteCorrection;
                db.SiteQueries.Add(new SiteQuery
                {
                    Id = Guid.NewGuid(), PredictionId = predictionId, ReviewId = verdict.Id, SiteId = prediction.SiteId, Question = comment!, RaisedBy = scope.UserName,
                    RaisedUtc = now,
                });
                break;
        }

        // A first disagreement waits for a second reviewer; any adjudicating verdict (or a query to the site) ends the wait.
        reviewCase.AwaitingAdjudication = input.Status == ReviewStatus.Disagreed && !adjudication;
        if (adjudication)
        {
            reviewCase.AdjudicatedBy = scope.UserName;
        }

        reviewCase.Verdicts++;
        reviewCase.UpdatedUtc = now;
        reviewCase.Version = Guid.NewGuid();
        db.AuditEvents.Add(Audit(scope.UserName, now, adjudication ? "review.adjudicated" : "review.verdict", predictionId, prediction.SiteId, new
        {
            prediction = predictionId, patient = prediction.Pseudonym, model = prediction.Model, verdict = input.Status.ToString(), comment,
            before = new { status = before.Status.ToString(), awaiting_adjudication = before.AwaitingAdjudication },
            after = new { status = reviewCase.Status.ToString(), awaiting_adjudication = reviewCase.AwaitingAdjudication },
        }));
        if (input.Status == ReviewStatus.NeedsSiteCorrection)
        {
            db.AuditEvents.Add(Audit(scope.UserName, now, "review.query-raised", predictionId, prediction.SiteId,
                new { prediction = predictionId, patient = prediction.Pseudonym, question = comment }));
        }

        await SaveOrConflictAsync(db, cancellationToken);
        return View(reviewCase);
    }

    /// <summary>Site queries the caller may see: a coordinator's sites', everyone's for reviewers, PIs and administrators; open ones first.</summary>
    public async Task<IReadOnlyList<SiteQueryView>> TasksAsync(AccessScope scope, bool includeAnswered = false, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        IQueryable<SiteQuery> queries = db.SiteQueries.AsNoTracking();
        if (!scope.ReadsAllSites)
        {
            var mine = scope.CoordinatedSiteIds.ToList();
            queries = queries.Where(q => mine.Contains(q.SiteId));
        }

        if (!includeAnswered)
        {
            queries = queries.Where(q => q.Status == SiteQueryStatus.Open);
        }

        var rows = await Project(queries).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(q => q.Status).ThenByDescending(q => q.RaisedUtc)];
    }

    /// <summary>
    /// A site coordinator answers a query of their site: the query is closed with the answer, the case goes back to the
    /// reviewers' queue (pending), and when the patient's data changed since the score (the prediction is stale) the
    /// patient is queued for scoring again with the same model version.
    /// </summary>
    /// <exception cref="ForbiddenException">Not a site coordinator.</exception>
    /// <exception cref="NotFoundException">No such query at the caller's sites.</exception>
    /// <exception cref="ConflictException">Answered already.</exception>
    public async Task<SiteQueryView> AnswerAsync(AccessScope scope, Guid queryId, QueryAnswerInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!scope.Roles.Contains(DerbyRoles.SiteCoordinator))
        {
            throw new ForbiddenException("Queries are answered by the site's coordinators");
        }

        var errors = new List<FieldError>();
        var answer = FreeText.Normalize("answer", input.Answer, MaxTextLength, true, errors, "Say what was corrected, or why the data is right as it is");
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var query = await db.SiteQueries.SingleOrDefaultAsync(q => q.Id == queryId, cancellationToken);
        if (query is null || !scope.CanEdit(query.SiteId))
        {
            throw new NotFoundException("No such query at your sites");
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        if (query.Status != SiteQueryStatus.Open)
        {
            throw new ConflictException($"This query was answered by {query.AnsweredBy} on {query.AnsweredUtc:yyyy-MM-dd HH:mm} UTC");
        }

        var now = clock.UtcNow;
        query.Status = SiteQueryStatus.Answered;
        query.Answer = answer;
        query.AnsweredBy = scope.UserName;
        query.AnsweredUtc = now;
        var reviewCase = await db.ReviewCases.SingleAsync(c => c.PredictionId == query.PredictionId, cancellationToken);
        var stillOpen = await db.SiteQueries.AnyAsync(q => q.PredictionId == query.PredictionId && q.Id != query.Id && q.Status == SiteQueryStatus.Open, cancellationToken);
        if (!stillOpen)
        {
            reviewCase.Status = ReviewStatus.Pending;
            reviewCase.AwaitingAdjudication = false;
        }

        reviewCase.UpdatedUtc = now;
        reviewCase.Version = Guid.NewGuid();
        var prediction = await db.Predictions.AsNoTracking().Where(p => p.Id == query.PredictionId)
            .Select(p => new { p.PatientId, p.IsStale, p.ModelVersionId, p.Patient!.Pseudonym }).SingleAsync(cancellationToken);
        db.AuditEvents.Add(Audit(scope.UserName, now, "review.query-answered", query.PredictionId, query.SiteId, new
        {
            query = query.Id, prediction = query.PredictionId, patient = prediction.Pseudonym, answer, data_changed = prediction.IsStale,
        }));
        await SaveOrConflictAsync(db, cancellationToken);
        if (prediction.IsStale)
        {
            jobs.EnqueuePatientScoring(prediction.ModelVersionId, prediction.PatientId);
        }

        return (await Project(db.SiteQueries.AsNoTracking().Where(q => q.Id == queryId)).SingleAsync(cancellationToken));
    }

    private static void RequireReader(AccessScope scope)
    {
        if (!CanReadReviews(scope))
        {
            throw new ForbiddenException("The review workspace is for reviewers, principal investigators and administrators");
        }
    }

    /// <summary>What the caller may do with the case, or why not (an open site query: who raised it and when).</summary>
    private static ReviewPermission Permission(AccessScope scope, ReviewCaseView reviewCase, bool stale, Guid? current, (string By, DateTime Utc)? openQuery)
    {
        static ReviewPermission No(string reason) => new(false, [], false, reason);
        if (!scope.Roles.Contains(DerbyRoles.Reviewer))
        {
            return No("Only reviewers give verdicts");
        }

        if (stale)
        {
            return No(current is { } id
                ? $"This prediction is stale: the patient's data changed after it was scored. Review the current prediction ({id}) instead"
                : "This prediction is stale: the patient's data changed after it was scored, and the patient has not been scored again yet");
        }

        switch (reviewCase.Status)
        {
            case ReviewStatus.NeedsSiteCorrection:
                return No(openQuery is not { } open ? "Waiting for the site's answer to the review query"
                    : $"Waiting for the site's answer to the query {open.By} raised on {open.Utc:yyyy-MM-dd HH:mm} UTC");
            case ReviewStatus.Agreed:
                return No(reviewCase.AdjudicatedBy is { } by ? $"Decided: agreed on adjudication by {by}" : "Decided: agreed");
            case ReviewStatus.Disagreed when !reviewCase.AwaitingAdjudication:
                return No($"Decided: the disagreement was confirmed on adjudication by {reviewCase.AdjudicatedBy}");
            case ReviewStatus.Disagreed when string.Equals(reviewCase.DisagreedBy, scope.UserName, StringComparison.OrdinalIgnoreCase):
                return No("You disagreed: a second reviewer must adjudicate");
            case ReviewStatus.Disagreed:
                return new ReviewPermission(true, VerdictStatuses, true, null);
            default:
                return new ReviewPermission(true, VerdictStatuses, false, null);
        }
    }

    private static async Task<(Dictionary<Guid, ReviewCase> Cases, List<ReviewVerdictView> Verdicts, List<SiteQueryView> Queries)> HistoryAsync(IDerbyDbContext db,
        IReadOnlyCollection<Guid> predictionIds, CancellationToken cancellationToken)
    {
        var cases = await db.ReviewCases.AsNoTracking().Where(c => predictionIds.Contains(c.PredictionId)).ToDictionaryAsync(c => c.PredictionId, cancellationToken);
        var verdicts = await db.Reviews.AsNoTracking().Where(r => predictionIds.Contains(r.PredictionId))
            .Select(r => new ReviewVerdictView(r.Id, r.ReviewerId, r.Status, r.Comment, r.IsAdjudication, r.CreatedUtc)).ToListAsync(cancellationToken);
        var queries = await Project(db.SiteQueries.AsNoTracking().Where(q => predictionIds.Contains(q.PredictionId))).ToListAsync(cancellationToken);
        return (cases, [.. verdicts.OrderBy(v => v.CreatedUtc)], [.. queries.OrderBy(q => q.RaisedUtc)]);
    }

    private static IQueryable<SiteQueryView> Project(IQueryable<SiteQuery> queries) => queries.Select(q => new SiteQueryView(
        q.Id, q.PredictionId, q.Prediction!.PatientId, q.Prediction.Patient!.Pseudonym, q.Site!.Code, q.Prediction.ModelVersion!.Version, q.Prediction.Trs,
        q.Prediction.IsStale, q.Question, q.RaisedBy, q.RaisedUtc, q.Status, q.Answer, q.AnsweredBy, q.AnsweredUtc));

    private static ReviewModel Provenance(ModelVersion model)
    {
        ModelManifest? manifest = null;
        string? problem = null;
        if (model.ManifestJson is not null)
        {
            try
            {
                manifest = ModelService.Verify(model);
            }
            catch (Exception ex) when (ex is InvalidDataException or JsonException)
            {
                problem = ex.Message;
            }
        }
        else
        {
            problem = "the version has no manifest (not trained)";
        }

        return new ReviewModel(model.Version, model.Kind, model.Status, model.IsActive, model.TrainedUtc, model.ArtefactSha256, problem, manifest?.Cohort,
            manifest?.Patients.Count, manifest?.Forest.Rows, manifest?.Network.Version, manifest?.Network.CheckpointSha256, manifest?.Mixture.K,
            manifest?.Mixture.ParametersSha256, manifest?.Lasso.Rule, manifest?.Lasso.Lambda, manifest?.Lasso.Selected ?? [], manifest?.Forest.Sha256,
            manifest?.Forest.Options, manifest?.Threshold, manifest?.CodeVersion);
    }

    private async Task<(int Intact, int Missing, int Altered)> CheckArtefactsAsync(string kind, IReadOnlyList<string> hashes, List<string> problems,
        CancellationToken cancellationToken)
    {
        int intact = 0, missing = 0, altered = 0;
        foreach (var sha in hashes)
        {
            if (!File.Exists(artifacts.PathOf(kind, sha)))
            {
                missing++;
                Note(problems, $"{kind} artefact {sha[..Math.Min(12, sha.Length)]}: missing from the store");
                continue;
            }

            try
            {
                await artifacts.ReadAsync(kind, sha, cancellationToken);
                intact++;
            }
            catch (InvalidDataException)
            {
                altered++;
                Note(problems, $"{kind} artefact {sha[..Math.Min(12, sha.Length)]}: does not match its SHA-256 (altered in the store)");
            }
        }

        return (intact, missing, altered);
    }

    /// <summary>Keeps the first 20 problems of a kind (the counts say how many in all).</summary>
    private static void Note(List<string> problems, string problem)
    {
        if (problems.Count < 20)
        {
            problems.Add(problem);
        }
    }

    private static bool IsFimg(string column) => column.StartsWith("f_img_", StringComparison.Ordinal);

    private static ReviewCaseView View(ReviewCase c) =>
        new(c.PredictionId, c.Status, c.AwaitingAdjudication, c.DisagreedBy, c.AdjudicatedBy, c.Verdicts, c.UpdatedUtc, c.Version);

    private static async Task SaveOrConflictAsync(IDerbyDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.Entries.Any(e => e.Entity is ReviewCase))
        {
            throw new ConflictException("Another reviewer acted on this prediction at the same moment: reload it and look again");
        }
    }

    private static AuditEvent Audit(string actor, DateTime when, string action, Guid prediction, int siteId, object details) =>
        Application.Audit.AuditEvents.Create(actor, when, action, nameof(Prediction), prediction.ToString(), siteId, details);
}
