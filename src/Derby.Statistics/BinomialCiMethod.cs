namespace Derby.Statistics;

/// <summary>How a binomial proportion's confidence interval is computed.</summary>
public enum BinomialCiMethod
{
    /// <summary>Exact interval from beta quantiles (Clopper and Pearson 1934), as R's <c>binom.test</c>.</summary>
    ClopperPearson,

    /// <summary>Score interval without continuity correction (Wilson 1927), as R's <c>prop.test(correct = FALSE)</c>.</summary>
    Wilson,
}
