namespace Derby.Domain;

/// <summary>
/// One reviewer's verdict on a prediction, with the comment that explains it: append-only (the database context refuses
/// to change or delete one). The prediction's current state is its <see cref="ReviewCase"/>.
/// </summary>
public sealed class Review
{
    public Guid Id { get; set; }

    public Guid PredictionId { get; set; }

    public Prediction? Prediction { get; set; }

    /// <summary>The reviewer's user name.</summary>
    public required string ReviewerId { get; set; }

    /// <summary>The verdict: agreed, disagreed or needs site correction (never pending).</summary>
    public ReviewStatus Status { get; set; }

    public string? Comment { get; set; }

    /// <summary>A second reviewer's verdict on a disagreement: it decides the case.</summary>
    public bool IsAdjudication { get; set; }

    public DateTime CreatedUtc { get; set; }
}

/// <summary>
/// Where the review of one prediction stands. Created with the first verdict (a prediction without one is pending);
/// changed only through the review workflow, under optimistic concurrency (<see cref="Version"/>), so two reviewers
/// acting at once cannot both take the same step.
/// </summary>
public sealed class ReviewCase
{
    /// <summary>The prediction under review (also the key: one case per prediction).</summary>
    public Guid PredictionId { get; set; }

    public Prediction? Prediction { get; set; }

    public ReviewStatus Status { get; set; } = ReviewStatus.Pending;

    /// <summary>A reviewer disagreed and a second reviewer has not yet adjudicated.</summary>
    public bool AwaitingAdjudication { get; set; }

    /// <summary>The reviewer whose disagreement awaits (or had) adjudication; another reviewer must adjudicate.</summary>
    public string? DisagreedBy { get; set; }

    /// <summary>Who adjudicated the disagreement, once done.</summary>
    public string? AdjudicatedBy { get; set; }

    /// <summary>The number of verdicts so far.</summary>
    public int Verdicts { get; set; }

    public DateTime UpdatedUtc { get; set; }

    /// <summary>Concurrency token, renewed on every change.</summary>
    public Guid Version { get; set; }
}

/// <summary>
/// A reviewer's "needs site correction" query to the patient's site: it sits on the site coordinators' task list until
/// one of them answers (after correcting the data, or explaining why it is right); the answer sends the case back to the
/// reviewers' queue.
/// </summary>
public sealed class SiteQuery
{
    public Guid Id { get; set; }

    public Guid PredictionId { get; set; }

    public Prediction? Prediction { get; set; }

    /// <summary>The verdict that raised the query.</summary>
    public Guid ReviewId { get; set; }

    /// <summary>The patient's site: whose coordinators answer.</summary>
    public int SiteId { get; set; }

    public Site? Site { get; set; }

    public required string Question { get; set; }

    public required string RaisedBy { get; set; }

    public DateTime RaisedUtc { get; set; }

    public SiteQueryStatus Status { get; set; } = SiteQueryStatus.Open;

    public string? Answer { get; set; }

    public string? AnsweredBy { get; set; }

    public DateTime? AnsweredUtc { get; set; }
}
