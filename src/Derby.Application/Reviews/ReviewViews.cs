using Derby.Application.Models;
using Derby.Domain;
using Derby.Learning.Forest;

namespace Derby.Application.Reviews;

/// <summary>Which predictions the queue lists: by site (code), cohort (code), model version, review state; current ones only unless asked.</summary>
public sealed record ReviewQueueFilter(
    string? Site = null,
    string? Cohort = null,
    string? Model = null,
    ReviewStatus? Status = null,
    bool? AwaitingAdjudication = null,
    bool IncludeStale = false,
    int Page = 0,
    int PageSize = 50);

/// <summary>One prediction in the review queue.</summary>
public sealed record ReviewQueueItem(
    Guid PredictionId,
    Guid PatientId,
    string Pseudonym,
    string Site,
    string ModelVersion,
    string ModelKind,
    double Trs,
    bool PredictedResponder,
    bool IsStale,
    DateTime ScoredUtc,
    ReviewStatus Status,
    bool AwaitingAdjudication,
    bool OpenQuery,
    int Verdicts,
    DateTime? UpdatedUtc);

/// <summary>A page of the queue, how many match, and how many of the matching ones are in each state.</summary>
public sealed record ReviewQueuePage(int Total, int Page, int PageSize, IReadOnlyList<ReviewQueueItem> Items);

/// <summary>A model input of the patient that is the same on every pair (a selected clinical factor, GLUT1, PKM).</summary>
public sealed record ReviewInput(string Name, double Value);

/// <summary>
/// One pair's part in the TRS: its lesion and PET slice, its ROI area, its weight in the vote (area over the patient's
/// total), the forest's probability and the weighted contribution (weight × probability; the contributions add up to the
/// TRS), with its F_img.
/// </summary>
public sealed record ReviewPair(long ImagePairId, Guid? LesionId, int? PetSlice, int RoiArea, double Weight, double Probability, double Contribution,
    IReadOnlyList<double> Fimg);

/// <summary>Where the model version comes from, from its hash-checked manifest.</summary>
public sealed record ReviewModel(
    string Version,
    string Kind,
    ModelVersionStatus Status,
    bool IsActive,
    DateTime? TrainedUtc,
    string? ManifestSha256,
    string? ManifestProblem,
    string? Cohort,
    int? TrainingPatients,
    int? TrainingPairs,
    string? NetworkVersion,
    string? NetworkCheckpointSha256,
    int? MixtureK,
    string? MixtureSha256,
    string? LassoRule,
    double? Lambda,
    IReadOnlyList<string> SelectedFactors,
    string? ForestSha256,
    RandomForestOptions? ForestOptions,
    double? Threshold,
    string? CodeVersion);

/// <summary>A verdict as shown.</summary>
public sealed record ReviewVerdictView(Guid Id, string Reviewer, ReviewStatus Status, string? Comment, bool IsAdjudication, DateTime CreatedUtc);

/// <summary>A site query as shown, with enough of its prediction to act on it from the task list.</summary>
public sealed record SiteQueryView(
    Guid Id,
    Guid PredictionId,
    Guid PatientId,
    string Pseudonym,
    string Site,
    string ModelVersion,
    double Trs,
    bool PredictionIsStale,
    string Question,
    string RaisedBy,
    DateTime RaisedUtc,
    SiteQueryStatus Status,
    string? Answer,
    string? AnsweredBy,
    DateTime? AnsweredUtc);

/// <summary>Where a prediction's review stands.</summary>
public sealed record ReviewCaseView(Guid PredictionId, ReviewStatus Status, bool AwaitingAdjudication, string? DisagreedBy, string? AdjudicatedBy, int Verdicts,
    DateTime? UpdatedUtc, Guid? Version);

/// <summary>What the caller may do with the case now: the verdicts open to them, whether theirs would adjudicate, or why they may not act.</summary>
public sealed record ReviewPermission(bool CanAct, IReadOnlyList<ReviewStatus> Verdicts, bool IsAdjudication, string? Reason);

/// <summary>Everything that produced a prediction and everything said about it since.</summary>
public sealed record PredictionReview(
    Guid PredictionId,
    Guid PatientId,
    string Pseudonym,
    string Site,
    IReadOnlyList<string> Cohorts,
    double Trs,
    bool PredictedResponder,
    double Threshold,
    bool IsStale,
    Guid? CurrentPredictionId,
    DateTime ScoredUtc,
    string? RequestedBy,
    IReadOnlyList<ReviewInput> Inputs,
    IReadOnlyList<string> FimgColumns,
    IReadOnlyList<ReviewPair> Pairs,
    IReadOnlyList<SignatureScore> Signatures,
    ReviewModel Model,
    string InputsSha256,
    IReadOnlyDictionary<string, string> InputHashes,
    ReviewCaseView Case,
    IReadOnlyList<ReviewVerdictView> Verdicts,
    IReadOnlyList<SiteQueryView> Queries,
    IReadOnlyList<ReviewVerdictView> EarlierVerdicts,
    IReadOnlyList<SiteQueryView> EarlierQueries,
    ReviewPermission You);

/// <summary>
/// One input of the prediction (instances, pair_sets, f_img, clinical, histology), its hash when scored and now (null when
/// the patient's inputs could not be read now, with the reason in the detail).
/// </summary>
public sealed record InputHashCheck(string Input, string Stored, string? Current, bool Matches, string Detail);

/// <summary>Files of one kind read back from the stores and hashed: how many are intact, missing or altered, and which.</summary>
public sealed record StoreCheck(string What, int Checked, int Intact, int Missing, int Altered, IReadOnlyList<string> Problems);

/// <summary>
/// The prediction's inputs re-verified: each input hash recomputed from the patient's data now (a difference means the data
/// changed after scoring), and the files it was computed from (DICOM instances, pair sets, model manifest and forests) read
/// back and hashed.
/// </summary>
public sealed record InputVerification(Guid PredictionId, bool StoreIntact, bool InputsCurrent, IReadOnlyList<InputHashCheck> Inputs, IReadOnlyList<StoreCheck> Store,
    DateTime CheckedUtc);

/// <summary>
/// A reviewer's verdict: agreed, disagreed or needs site correction, with a comment (required unless agreeing), and the
/// case version the reviewer saw (optional; a different one means someone acted meanwhile: 409).
/// </summary>
public sealed record VerdictInput(ReviewStatus Status, string? Comment, Guid? ExpectedVersion = null);

/// <summary>A site coordinator's answer to a query.</summary>
public sealed record QueryAnswerInput(string? Answer);
