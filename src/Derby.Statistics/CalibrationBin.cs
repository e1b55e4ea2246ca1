namespace Derby.Statistics;

/// <summary>One group of a binned calibration curve: its size, mean predicted risk and observed event rate.</summary>
public sealed record CalibrationBin(int Count, double MeanPredicted, double Observed);
