namespace Derby.Learning.Mixtures;

/// <summary>The form of each component's covariance in a <see cref="GaussianMixture"/>.</summary>
public enum CovarianceType
{
    /// <summary>A full d × d covariance per component: d(d + 1)/2 parameters each.</summary>
    Full,

    /// <summary>A diagonal covariance per component: d parameters each (the practical choice for 1024-d features).</summary>
    Diagonal,
}
