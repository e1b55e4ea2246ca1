namespace Derby.Statistics;

/// <summary>
/// The data cannot support the asked-for statistic (a single class, too few events, a singular design, perfect separation).
/// The message says which and why, in words a user can act on.
/// </summary>
public sealed class StatisticsException : Exception
{
    public StatisticsException(string message) : base(message)
    {
    }

    public StatisticsException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public StatisticsException()
    {
    }
}
