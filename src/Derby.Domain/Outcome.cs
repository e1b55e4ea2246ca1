namespace Derby.Domain;

/// <summary>Treatment outcome: best RECIST response, survival and conversion to resection.</summary>
public sealed class Outcome
{
    public Guid PatientId { get; set; }

    public RecistResponse BestResponse { get; set; }

    public double PfsMonths { get; set; }

    /// <summary>True when progression or death was observed; false when censored.</summary>
    public bool PfsEvent { get; set; }

    public double OsMonths { get; set; }

    /// <summary>True when death was observed; false when censored.</summary>
    public bool OsEvent { get; set; }

    public bool LiverResection { get; set; }

    public DateTime UpdatedUtc { get; set; }

    /// <summary>Responder as the paper defines it: complete or partial response.</summary>
    public bool IsResponder => BestResponse is RecistResponse.CompleteResponse or RecistResponse.PartialResponse;
}
