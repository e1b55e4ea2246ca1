namespace Derby.Statistics;

/// <summary>An AUC with its confidence interval.</summary>
/// <param name="Auc">Area under the empirical ROC curve (Mann-Whitney form: P(case &gt; control) + P(tie) / 2).</param>
/// <param name="Lower">Lower confidence limit (clipped to [0, 1] as pROC does).</param>
/// <param name="Upper">Upper confidence limit.</param>
/// <param name="StandardError">DeLong standard error, or the standard deviation of the bootstrap AUCs.</param>
/// <param name="Cases">Number of label-1 observations.</param>
/// <param name="Controls">Number of label-0 observations.</param>
public sealed record AucEstimate(double Auc, double Lower, double Upper, double StandardError, int Cases, int Controls);
