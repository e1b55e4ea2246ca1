namespace Derby.Statistics;

/// <summary>Calibration of predicted probabilities against 0/1 outcomes.</summary>
/// <param name="Brier">Mean squared error of the probabilities.</param>
/// <param name="HosmerLemeshow">Hosmer-Lemeshow goodness-of-fit test over risk groups.</param>
/// <param name="Intercept">Intercept of glm(y ~ logit(p)) (rms <c>val.prob</c>'s "Intercept"; 0 when calibrated).</param>
/// <param name="Slope">Slope of glm(y ~ logit(p)) (rms <c>val.prob</c>'s "Slope"; 1 when calibrated).</param>
/// <param name="Bins">The Hosmer-Lemeshow groups as a calibration curve.</param>
public sealed record CalibrationSummary(double Brier, ChiSquareResult HosmerLemeshow, double Intercept, double Slope, IReadOnlyList<CalibrationBin> Bins);
