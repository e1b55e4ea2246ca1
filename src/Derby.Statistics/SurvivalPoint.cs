namespace Derby.Statistics;

/// <summary>The Kaplan-Meier estimate just after one distinct event time.</summary>
/// <param name="Time">Event time.</param>
/// <param name="AtRisk">Number at risk just before <paramref name="Time"/>.</param>
/// <param name="Events">Events at <paramref name="Time"/>.</param>
/// <param name="Survival">S(t).</param>
/// <param name="Lower">Lower 95% limit (log-transformed Greenwood); null where R gives NA (S = 0).</param>
/// <param name="Upper">Upper 95% limit, at most 1; null where R gives NA.</param>
public sealed record SurvivalPoint(double Time, int AtRisk, int Events, double Survival, double? Lower, double? Upper);
