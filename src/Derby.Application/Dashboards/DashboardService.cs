using System.Globalization;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Models;
using Derby.Domain;
using Derby.Statistics;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Dashboards;

/// <summary>
/// The principal investigators' dashboards: the paper's Table 2 (DERBY, DERBY+ and the three signatures), the paired
/// DeLong test, ROC, calibration, decision curves, Kaplan-Meier PFS and OS by predicted group, the TRS waterfall and the
/// response rates, per cohort and per site, all from the statistics engine. Current (not stale) predictions only; a
/// model's own training cohort is evaluated on its cross-validated TRS (as <see cref="ScoringService.EvaluateAsync"/>).
/// Whatever cannot be estimated is null with the reason. Computed once per data version and filter (<see cref="DashboardCache"/>).
/// </summary>
public sealed class DashboardService(IDerbyDbContextFactory dbFactory, ModelService models, DashboardCache cache, IClock clock)
{
    /// <summary>Times (months) of the number-at-risk table.</summary>
    public static readonly IReadOnlyList<double> RiskTimes = [0, 6, 12, 18, 24, 30, 36];

    /// <summary>Risk groups of the Hosmer-Lemeshow test and the calibration plot.</summary>
    public const int CalibrationGroups = 10;

    /// <summary>Names of the predicted groups.</summary>
    public const string PredictedResponders = "predicted responder", PredictedNonResponders = "predicted non-responder";

    private static readonly string[] SignatureNames = ["clinical", "imaging", "histological"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>JSON of a dashboard: web defaults, with ROC's infinite end thresholds written as "Infinity" / "-Infinity".</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Only administrators and principal investigators see the dashboards.</summary>
    /// <exception cref="ForbiddenException">Anyone else.</exception>
    public static void Require(AccessScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.CanRunAnalyses)
        {
            throw new ForbiddenException("Only administrators and principal investigators see the dashboards");
        }
    }

    /// <summary>
    /// A cheap fingerprint of everything the dashboard reads: predictions (count, stale count, newest), outcomes, clinical
    /// records and biopsy scores (count, newest update), cohort memberships, patients and the trained, active model
    /// versions. Pages poll it.
    /// </summary>
    public async Task<string> DataVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var predictions = await db.Predictions.CountAsync(cancellationToken);
        var stale = await db.Predictions.CountAsync(p => p.IsStale, cancellationToken);
        var newest = await db.Predictions.OrderByDescending(p => p.CreatedUtc).Select(p => (DateTime?)p.CreatedUtc).FirstOrDefaultAsync(cancellationToken);
        var outcomes = await db.Outcomes.CountAsync(cancellationToken);
        var updated = await db.Outcomes.OrderByDescending(o => o.UpdatedUtc).Select(o => (DateTime?)o.UpdatedUtc).FirstOrDefaultAsync(cancellationToken);
        var clinical = await db.ClinicalRecords.CountAsync(cancellationToken);
        var clinicalUpdated = await db.ClinicalRecords.OrderByDescending(c => c.UpdatedUtc).Select(c => (DateTime?)c.UpdatedUtc).FirstOrDefaultAsync(cancellationToken);
        var biopsies = await db.BiopsyScores.CountAsync(cancellationToken);
        var biopsyUpdated = await db.BiopsyScores.OrderByDescending(b => b.UpdatedUtc).Select(b => (DateTime?)b.UpdatedUtc).FirstOrDefaultAsync(cancellationToken);
        var members = await db.CohortMemberships.CountAsync(cancellationToken);
        var patients = await db.Patients.CountAsync(cancellationToken);
        var trained = await db.ModelVersions.Where(m => m.Status == ModelVersionStatus.Trained).OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.IsActive }).ToListAsync(cancellationToken);
        return string.Join('|', predictions, stale, newest?.Ticks ?? 0, outcomes, updated?.Ticks ?? 0, clinical, clinicalUpdated?.Ticks ?? 0, biopsies,
            biopsyUpdated?.Ticks ?? 0, members, patients,
            string.Join(',', trained.Select(m => m.IsActive ? $"{m.Id}*" : $"{m.Id}")));
    }

    /// <summary>The dashboard for a filter, from the cache while the data have not changed.</summary>
    /// <exception cref="ForbiddenException">Not an administrator or principal investigator.</exception>
    /// <exception cref="NotFoundException">No such model version, cohort or site.</exception>
    /// <exception cref="ValidationFailedException">A date range that ends before it starts.</exception>
    public async Task<StudyDashboard> GetAsync(AccessScope scope, DashboardFilter filter, CancellationToken cancellationToken = default)
    {
        Require(scope);
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.From is { } from && filter.To is { } to && from > to)
        {
            throw new ValidationFailedException([new FieldError("to", $"The date range ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd})")]);
        }

        var version = await DataVersionAsync(cancellationToken);
        // The computation is shared by every caller of this version and filter: one caller leaving does not cancel it for the others.
        return await cache.GetOrAddAsync(version, filter, () => ComputeAsync(filter, version, CancellationToken.None)).WaitAsync(cancellationToken);
    }

    private sealed record Scored(Guid PatientId, double Score, IReadOnlyList<SignatureScore> Signatures);

    private sealed record ModelScores(string Name, ModelVersion Row, ModelManifest Manifest, IReadOnlyDictionary<Guid, Prediction> Predictions, CrossValidatedScores CrossValidated)
    {
        /// <summary>The score of a patient of a cohort: cross-validated in the model's own training cohort, else the current prediction.</summary>
        public Scored? Score(string cohort, Guid patient) =>
            cohort == Manifest.Cohort
                ? CrossValidated.Trs.TryGetValue(patient, out var cv) ? new Scored(patient, cv, []) : null
                : Predictions.TryGetValue(patient, out var p) ? new Scored(patient, p.Trs, Signatures(p)) : null;
    }

    private async Task<StudyDashboard> ComputeAsync(DashboardFilter filter, string dataVersion, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var trained = await db.ModelVersions.AsNoTracking().Where(m => m.Status == ModelVersionStatus.Trained && m.ManifestJson != null)
            .OrderByDescending(m => m.CreatedUtc).ThenByDescending(m => m.Id).ToListAsync(cancellationToken);
        var manifests = trained.ToDictionary(m => m.Id, ModelService.Verify);
        var options = trained.Select(m => new DashboardModelOption(m.Version, m.Kind, m.IsActive, manifests[m.Id].Cohort, manifests[m.Id].Threshold)).ToList();
        var cohorts = await db.Cohorts.AsNoTracking().OrderBy(c => c.Kind).ThenBy(c => c.Code).ToListAsync(cancellationToken);
        var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken);
        if (filter.Cohort is not null && cohorts.All(c => c.Code != filter.Cohort))
        {
            throw new NotFoundException($"No cohort with code '{filter.Cohort}'");
        }

        if (filter.Site is not null && sites.All(s => s.Code != filter.Site))
        {
            throw new NotFoundException($"No site with code '{filter.Site}'");
        }

        ModelVersion? primary;
        if (filter.ModelVersion is not null)
        {
            primary = trained.FirstOrDefault(m => m.Version == filter.ModelVersion) ?? throw new NotFoundException($"No trained model version {filter.ModelVersion}");
        }
        else
        {
            primary = trained.FirstOrDefault(m => m.Kind == ModelKinds.DerbyPlus && m.IsActive) ?? trained.FirstOrDefault(m => m.Kind == ModelKinds.Derby && m.IsActive);
        }

        var cohortCodes = cohorts.Select(c => c.Code).ToList();
        var siteCodes = sites.Select(s => s.Code).ToList();
        var siteById = sites.ToDictionary(s => s.Id, s => s.Code);
        DateTime? from = filter.From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        DateTime? until = filter.To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var patients = (await db.Patients.AsNoTracking().Select(p => new { p.Id, p.Pseudonym, p.SiteId, p.CreatedUtc }).ToListAsync(cancellationToken))
            .Where(p => (filter.Site is null || siteById.GetValueOrDefault(p.SiteId) == filter.Site)
                && (from is null || p.CreatedUtc >= from) && (until is null || p.CreatedUtc < until))
            .ToDictionary(p => p.Id);
        var memberships = (await db.CohortMemberships.AsNoTracking().Select(m => new { m.CohortId, m.PatientId }).ToListAsync(cancellationToken))
            .ToLookup(m => m.CohortId, m => m.PatientId);
        var shown = cohorts.Where(c => filter.Cohort is null || c.Code == filter.Cohort)
            .Select(c => (Cohort: c, Members: memberships[c.Id].Where(patients.ContainsKey).Distinct().ToList())).ToList();
        var outcomes = await db.Outcomes.AsNoTracking().ToDictionaryAsync(o => o.PatientId, cancellationToken);
        var clinical = await db.ClinicalRecords.AsNoTracking().ToDictionaryAsync(c => c.PatientId, cancellationToken);
        var biopsies = await db.BiopsyScores.AsNoTracking().ToDictionaryAsync(b => b.PatientId, cancellationToken);
        var characteristics = CohortCharacteristicsBuilder.Build(shown.Select(c => (c.Cohort.Code, c.Cohort.Name, c.Cohort.Kind,
            (IReadOnlyList<PatientCharacteristics>)c.Members.Select(id => new PatientCharacteristics(id, clinical.GetValueOrDefault(id), biopsies.GetValueOrDefault(id),
                outcomes.GetValueOrDefault(id))).ToList())).ToList());
        if (primary is null)
        {
            return new StudyDashboard(filter, dataVersion, clock.UtcNow, null, null, 0.5, null, null, options, cohortCodes, siteCodes, [],
                "No active DERBY or DERBY+ model: train one (or choose a version)", characteristics);
        }

        var derby = primary.Kind == ModelKinds.Derby ? primary : trained.FirstOrDefault(m => m.Kind == ModelKinds.Derby && m.IsActive);
        var derbyPlus = primary.Kind == ModelKinds.DerbyPlus ? primary : trained.FirstOrDefault(m => m.Kind == ModelKinds.DerbyPlus && m.IsActive);
        var used = new[] { derby, derbyPlus }.Where(m => m is not null).Select(m => m!).ToList();
        var ids = used.Select(m => m.Id).ToList();
        var predictions = (await db.Predictions.AsNoTracking().Where(p => ids.Contains(p.ModelVersionId) && !p.IsStale).ToListAsync(cancellationToken))
            .GroupBy(p => p.ModelVersionId).ToDictionary(g => g.Key,
                g => (IReadOnlyDictionary<Guid, Prediction>)g.GroupBy(p => p.PatientId).ToDictionary(p => p.Key, p => p.OrderByDescending(x => x.CreatedUtc).First()));
        var scores = new Dictionary<int, ModelScores>();
        foreach (var m in used)
        {
            var cv = await models.GetCrossValidationAsync(AccessScope.System, m.Version, cancellationToken);
            scores[m.Id] = new ModelScores(m.Kind == ModelKinds.Derby ? "DERBY" : "DERBY+", m, manifests[m.Id],
                predictions.GetValueOrDefault(m.Id) ?? new Dictionary<Guid, Prediction>(), cv);
        }

        var figures = new ModelFigures(primary.Version, await models.GetLassoAsync(AccessScope.System, primary.Version, cancellationToken),
            await models.GetPartialDependenceAsync(AccessScope.System, primary.Version, cancellationToken),
            await models.GetHeatmapAsync(AccessScope.System, primary.Version, cancellationToken));
        var sections = new List<CohortDashboard>();
        foreach (var (cohort, members) in shown)
        {
            var siteList = filter.Site is not null ? [filter.Site] : filter.BySite ? (IEnumerable<string?>)[null, .. siteCodes] : [null];
            foreach (var site in siteList)
            {
                var here = site is null ? members : members.Where(m => siteById.GetValueOrDefault(patients[m].SiteId) == site).ToList();
                sections.Add(Section(cohort, site, here, scores[primary.Id], derby is null ? null : scores[derby.Id], derbyPlus is null ? null : scores[derbyPlus.Id],
                    outcomes, id => patients[id].Pseudonym));
            }
        }

        return new StudyDashboard(filter, dataVersion, clock.UtcNow, primary.Version, primary.Kind, manifests[primary.Id].Threshold, derby?.Version, derbyPlus?.Version,
            options, cohortCodes, siteCodes, sections, null, characteristics, figures);
    }

    private static CohortDashboard Section(Cohort cohort, string? site, IReadOnlyList<Guid> members, ModelScores primary, ModelScores? derby, ModelScores? derbyPlus,
        IReadOnlyDictionary<Guid, Outcome> outcomes, Func<Guid, string> pseudonym)
    {
        var threshold = primary.Manifest.Threshold;
        var evaluated = members.Where(outcomes.ContainsKey).Select(m => primary.Score(cohort.Code, m)).Where(s => s is not null).Select(s => s!).ToList();
        var labels = evaluated.Select(s => outcomes[s.PatientId].IsResponder ? 1 : 0).ToArray();
        var trs = evaluated.Select(s => s.Score).ToArray();
        var own = cohort.Code == primary.Manifest.Cohort;
        var note = own ? $"the training cohort of {primary.Row.Version}: {primary.CrossValidated.Folds}-fold cross-validated TRS (signatures not cross-validated)" : null;

        // Table 2: DERBY, DERBY+ and the dashboard model's signatures.
        var rows = new List<PerformanceRow>();
        var roc = new List<RocSeries>();
        foreach (var model in new[] { derby, derbyPlus }.Where(m => m is not null).Select(m => m!))
        {
            var scored = members.Where(outcomes.ContainsKey).Select(m => model.Score(cohort.Code, m)).Where(s => s is not null).Select(s => s!).ToList();
            var y = scored.Select(s => outcomes[s.PatientId].IsResponder ? 1 : 0).ToArray();
            var x = scored.Select(s => s.Score).ToArray();
            rows.Add(Row(model.Name, model.Row.Version, x, y, model.Manifest.Threshold, null));
            roc.Add(Roc(model.Name, x, y));
        }

        foreach (var name in SignatureNames)
        {
            string? unavailable = null;
            var x = new List<double>();
            var y = new List<int>();
            for (var i = 0; i < evaluated.Count; i++)
            {
                var s = evaluated[i].Signatures.FirstOrDefault(v => v.Name == name);
                if (s?.Score is { } value)
                {
                    x.Add(value);
                    y.Add(labels[i]);
                }
                else
                {
                    unavailable ??= own ? "the training cohort has no cross-validated signature scores" : s?.Unavailable ?? "not scored";
                }
            }

            var reason = x.Count == 0 ? $"no {name} scores: {unavailable ?? "no patients"}" : null;
            rows.Add(Row(name, primary.Row.Version, [.. x], [.. y], threshold, reason));
            roc.Add(reason is null ? Roc(name, [.. x], [.. y]) : new RocSeries(name, null, [], reason));
        }

        return new CohortDashboard(cohort.Code, cohort.Name, site, members.Count, evaluated.Count, labels.Sum(), note, rows,
            DeLong(cohort.Code, members, derby, derbyPlus, outcomes), SignatureComparisons(primary.Name, evaluated, labels, own), roc,
            CalibrationOf(trs, labels), DecisionCurveOf(trs, labels),
            Survival("PFS", evaluated, threshold, o => (o.PfsMonths, o.PfsEvent), outcomes),
            Survival("OS", evaluated, threshold, o => (o.OsMonths, o.OsEvent), outcomes),
            [.. evaluated.Select(s => new WaterfallBar(pseudonym(s.PatientId), s.Score, Recist(outcomes[s.PatientId].BestResponse), outcomes[s.PatientId].IsResponder,
                s.Score >= threshold)).OrderByDescending(b => b.Trs).ThenBy(b => b.Pseudonym, StringComparer.Ordinal)],
            ByResponse(trs, labels), Rates(evaluated, threshold, outcomes));
    }

    /// <summary>One Table 2 row: AUC with its DeLong CI (two of each class at least) and the accuracy at the threshold.</summary>
    internal static PerformanceRow Row(string model, string? version, double[] scores, int[] labels, double threshold, string? reason)
    {
        var responders = labels.Sum();
        if (reason is not null || scores.Length == 0)
        {
            reason ??= "no patients with an outcome and a current score";
            return new PerformanceRow(model, version, scores.Length, responders, threshold, Estimate<AucEstimate>.Not(reason), Estimate<DiagnosticSummary>.Not(reason));
        }

        var auc = TwoClasses(responders, scores.Length) is { } why ? Estimate<AucEstimate>.Not(why) : Estimate<AucEstimate>.Of(RocAnalysis.DeLong(scores, labels));
        return new PerformanceRow(model, version, scores.Length, responders, threshold, auc, Estimate<DiagnosticSummary>.Of(DiagnosticAccuracy.AtThreshold(scores, labels, threshold)));
    }

    private static string? TwoClasses(int responders, int n) =>
        responders < 2 || n - responders < 2
            ? $"not estimable: {responders} responder{(responders == 1 ? "" : "s")} and {n - responders} non-responder{(n - responders == 1 ? "" : "s")} (at least 2 of each needed)"
            : null;

    private static RocSeries Roc(string model, double[] scores, int[] labels)
    {
        var responders = labels.Sum();
        if (responders == 0 || responders == labels.Length)
        {
            return new RocSeries(model, null, [], TwoClasses(responders, labels.Length));
        }

        return new RocSeries(model, RocAnalysis.Auc(scores, labels), RocAnalysis.Curve(scores, labels), null);
    }

    private static Estimate<PairedAucTest> DeLong(string cohort, IReadOnlyList<Guid> members, ModelScores? derby, ModelScores? derbyPlus,
        IReadOnlyDictionary<Guid, Outcome> outcomes)
    {
        if (derby is null || derbyPlus is null)
        {
            return Estimate<PairedAucTest>.Not($"needs an active DERBY and DERBY+ model (have {(derby ?? derbyPlus)?.Row.Version ?? "none"})");
        }

        var both = members.Where(outcomes.ContainsKey).Select(m => (a: derby.Score(cohort, m), b: derbyPlus.Score(cohort, m), m))
            .Where(t => t.a is not null && t.b is not null).ToList();
        var labels = both.Select(t => outcomes[t.m].IsResponder ? 1 : 0).ToArray();
        if (TwoClasses(labels.Sum(), labels.Length) is { } why)
        {
            return Estimate<PairedAucTest>.Not($"{both.Count} patients scored by both models; {why}");
        }

        return Paired("DERBY", "DERBY+", both.Count,
            RocAnalysis.CompareDeLong(both.Select(t => t.a!.Score).ToArray(), both.Select(t => t.b!.Score).ToArray(), labels));
    }

    /// <summary>The dashboard's model against each of its signatures (paired DeLong) on the patients with both scores.</summary>
    private static List<SignatureComparison> SignatureComparisons(string model, IReadOnlyList<Scored> evaluated, int[] labels, bool own)
    {
        var comparisons = new List<SignatureComparison>();
        foreach (var name in SignatureNames)
        {
            if (own)
            {
                comparisons.Add(new SignatureComparison(model, name, Estimate<PairedAucTest>.Not("the training cohort has no cross-validated signature scores")));
                continue;
            }

            var both = evaluated.Select((s, i) => (trs: s.Score, signature: s.Signatures.FirstOrDefault(v => v.Name == name)?.Score, label: labels[i]))
                .Where(t => t.signature is not null).ToList();
            var y = both.Select(t => t.label).ToArray();
            comparisons.Add(new SignatureComparison(model, name, both.Count == 0 ? Estimate<PairedAucTest>.Not($"no {name} scores")
                : TwoClasses(y.Sum(), y.Length) is { } why ? Estimate<PairedAucTest>.Not($"{both.Count} patients with both scores; {why}")
                : Paired(model, name, both.Count, RocAnalysis.CompareDeLong(both.Select(t => t.trs).ToArray(), both.Select(t => t.signature!.Value).ToArray(), y))));
        }

        return comparisons;
    }

    /// <summary>A paired DeLong test, or why not: when the difference has no variance (e.g. the two scores rank every patient alike) Z and p are undefined.</summary>
    private static Estimate<PairedAucTest> Paired(string model1, string model2, int patients, AucComparison comparison) =>
        double.IsFinite(comparison.P)
            ? Estimate<PairedAucTest>.Of(new PairedAucTest(model1, model2, patients, comparison))
            : Estimate<PairedAucTest>.Not($"not estimable: the AUC difference has no variance on these {patients} patients (AUC {Number(comparison.Auc1, "0.000")} vs {Number(comparison.Auc2, "0.000")})");

    private static Estimate<CalibrationView> CalibrationOf(double[] trs, int[] labels)
    {
        if (TwoClasses(labels.Sum(), labels.Length) is { } why)
        {
            return Estimate<CalibrationView>.Not(why);
        }

        var y = labels.Select(l => (double)l).ToArray();
        ChiSquareResult? hl = null;
        string? hlWhy = null;
        IReadOnlyList<CalibrationBin> bins = [];
        try
        {
            hl = Calibration.HosmerLemeshow(trs, y, CalibrationGroups);
            bins = Calibration.Bins(trs, y, CalibrationGroups);
            if (!double.IsFinite(hl.P))
            {
                // An empty risk group, or one whose expected count is 0 (every TRS in it exactly 0 or 1), leaves the statistic undefined.
                hl = null;
                hlWhy = "not estimable: a risk group is empty or has an expected count of zero";
            }
        }
        catch (StatisticsException ex)
        {
            hlWhy = ex.Message;
        }

        return Estimate<CalibrationView>.Of(new CalibrationView(Calibration.Brier(trs, y), hl, hlWhy, bins));
    }

    private static Estimate<DecisionCurveView> DecisionCurveOf(double[] trs, int[] labels) =>
        TwoClasses(labels.Sum(), labels.Length) is { } why ? Estimate<DecisionCurveView>.Not(why)
            : Estimate<DecisionCurveView>.Of(new DecisionCurveView(DecisionCurve.Compute(trs, labels)));

    private static Estimate<SurvivalView> Survival(string endpoint, IReadOnlyList<Scored> evaluated, double threshold, Func<Outcome, (double Time, bool Event)> select,
        IReadOnlyDictionary<Guid, Outcome> outcomes)
    {
        if (evaluated.Count == 0)
        {
            return Estimate<SurvivalView>.Not("no patients with an outcome and a current score");
        }

        var data = evaluated.Select(s => (s, o: select(outcomes[s.PatientId]))).ToList();
        var times = data.Select(d => d.o.Time).ToArray();
        var events = data.Select(d => d.o.Event ? 1 : 0).ToArray();
        var groups = data.Select(d => d.s.Score >= threshold ? PredictedResponders : PredictedNonResponders).ToList();
        var curves = KaplanMeier.FitGroups(times, events, groups);
        var atRisk = curves.Select(c => new RiskRow(c.Group!, KaplanMeier.NumberAtRisk(times.Where((_, i) => groups[i] == c.Group).ToArray(), RiskTimes.ToArray()))).ToList();
        var counts = new[] { PredictedResponders, PredictedNonResponders }.Select(g => (g, n: groups.Count(x => x == g))).ToList();
        string? why = counts.FirstOrDefault(c => c.n < 2) is { g: not null } few ? $"not estimable: {few.n} {few.g}{(few.n == 1 ? "" : "s")} (at least 2 per group needed)"
            : events.Sum() == 0 ? $"not estimable: no {endpoint} events" : null;
        var logRank = why is not null ? Estimate<ChiSquareResult>.Not(why) : Estimate<ChiSquareResult>.Of(LogRankTest.Compute(times, events, groups));
        var hr = why is not null ? Estimate<CoxCoefficient>.Not(why) : HazardRatio(endpoint, times, events, groups);
        return Estimate<SurvivalView>.Of(new SurvivalView(endpoint, curves, RiskTimes, atRisk, logRank, hr));
    }

    /// <summary>
    /// The Cox hazard ratio of predicted responders against predicted non-responders, or why it cannot be estimated: a group
    /// without events, or events that separate the groups in time (monotone partial likelihood: the fit only stops where the
    /// log-likelihood stops changing, and R's coxph warns that the coefficient may be infinite).
    /// </summary>
    public static Estimate<CoxCoefficient> HazardRatio(string endpoint, double[] times, int[] events, IReadOnlyList<string> groups)
    {
        foreach (var group in new[] { PredictedResponders, PredictedNonResponders })
        {
            if (!events.Where((_, i) => groups[i] == group).Any(e => e == 1))
            {
                return Estimate<CoxCoefficient>.Not($"not estimable: no {endpoint} events among the {group}s");
            }
        }

        try
        {
            var covariate = groups.Select(g => g == PredictedResponders ? 1.0 : 0.0).ToArray();
            var hr = CoxRegression.Fit(times, events, [covariate], [PredictedResponders]).Coefficients[0];
            if (!hr.MayBeInfinite)
            {
                return Estimate<CoxCoefficient>.Of(hr);
            }

            // For one binary covariate the likelihood is monotone when every event of one group comes after the other
            // group has left the risk set: the coefficient runs to -infinity (responders' events late) or +infinity.
            var (late, early) = hr.Coefficient < 0 ? (PredictedResponders, PredictedNonResponders) : (PredictedNonResponders, PredictedResponders);
            return Estimate<CoxCoefficient>.Not(
                $"not estimable: every {endpoint} event of the {late}s comes after the last of the {early}s has left follow-up, so the hazard ratio tends to {(hr.Coefficient < 0 ? "0" : "infinity")}");
        }
        catch (StatisticsException ex)
        {
            return Estimate<CoxCoefficient>.Not($"not estimable: {ex.Message}");
        }
    }

    private static Estimate<TrsByResponse> ByResponse(double[] trs, int[] labels)
    {
        var responders = trs.Where((_, i) => labels[i] == 1).ToArray();
        var others = trs.Where((_, i) => labels[i] == 0).ToArray();
        return TwoClasses(responders.Length, trs.Length) is { } why ? Estimate<TrsByResponse>.Not(why)
            : Estimate<TrsByResponse>.Of(new TrsByResponse(responders, others, MannWhitneyTest.Compute(responders, others)));
    }

    private static List<GroupRates> Rates(IReadOnlyList<Scored> evaluated, double threshold, IReadOnlyDictionary<Guid, Outcome> outcomes)
    {
        var rates = new List<GroupRates>();
        foreach (var (group, predicted) in new[] { (PredictedResponders, true), (PredictedNonResponders, false) })
        {
            var here = evaluated.Where(s => (s.Score >= threshold) == predicted).Select(s => outcomes[s.PatientId]).ToList();
            var responses = here.Count(o => o.IsResponder);
            var resections = here.Count(o => o.LiverResection);
            var why = here.Count == 0 ? $"no {group}s" : null;
            rates.Add(new GroupRates(group, here.Count, responses,
                why is null ? Estimate<ProportionEstimate>.Of(BinomialConfidenceInterval.Compute(responses, here.Count)) : Estimate<ProportionEstimate>.Not(why), resections,
                why is null ? Estimate<ProportionEstimate>.Of(BinomialConfidenceInterval.Compute(resections, here.Count)) : Estimate<ProportionEstimate>.Not(why)));
        }

        return rates;
    }

    private static string Recist(RecistResponse r) => r switch
    {
        RecistResponse.CompleteResponse => "CR",
        RecistResponse.PartialResponse => "PR",
        RecistResponse.StableDisease => "SD",
        RecistResponse.ProgressiveDisease => "PD",
        _ => r.ToString(),
    };

    private static IReadOnlyList<SignatureScore> Signatures(Prediction p) =>
        p.SignaturesJson is null ? [] : JsonSerializer.Deserialize<List<SignatureScore>>(p.SignaturesJson, Json)!;

    /// <summary>Invariant text of a number for CSV and data attributes.</summary>
    public static string Number(double? value, string format = "R") => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";
}
