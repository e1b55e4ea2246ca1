namespace Derby.Domain;

/// <summary>A reviewer's verdict on a prediction.</summary>
public sealed class Review
{
    public Guid Id { get; set; }

    public Guid PredictionId { get; set; }

    public Prediction? Prediction { get; set; }

    public required string ReviewerId { get; set; }

    public ReviewStatus Status { get; set; }

    public string? Comment { get; set; }

    public DateTime CreatedUtc { get; set; }
}
