namespace Derby.Domain;

/// <summary>
/// The Gaussian mixture fitted on a network's training-cohort pair features, K chosen by BIC; its parameters are in the
/// artefact store (kind "mixtures").
/// </summary>
public sealed class MixtureModel
{
    /// <summary>Key.</summary>
    public Guid Id { get; set; }

    /// <summary>The network whose features were clustered.</summary>
    public Guid NetworkModelId { get; set; }

    /// <summary>The network whose features were clustered.</summary>
    public NetworkModel? NetworkModel { get; set; }

    /// <summary>Components chosen.</summary>
    public int K { get; set; }

    /// <summary>Principal components of the standardised features the mixture was fitted on; 0: the features themselves.</summary>
    public int Dimensions { get; set; }

    /// <summary>"Diagonal" or "Full".</summary>
    public required string CovarianceType { get; set; }

    /// <summary>The BIC curve, [{k, bic}] as JSON.</summary>
    public required string BicJson { get; set; }

    /// <summary>SHA-256 of the parameters file (JSON: weights, means, covariances).</summary>
    public required string ParametersSha256 { get; set; }

    /// <summary>Training pairs fitted on.</summary>
    public int TrainingPairs { get; set; }

    /// <summary>Seed of the fits.</summary>
    public int Seed { get; set; }

    /// <summary>When fitted.</summary>
    public DateTime CreatedUtc { get; set; }
}
