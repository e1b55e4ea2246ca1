namespace Derby.Statistics;

/// <summary>Net benefit of the model and of treating everyone at one threshold probability (treating no one is 0).</summary>
public sealed record NetBenefitPoint(double Threshold, double NetBenefit, double NetBenefitTreatAll);
