namespace Derby.Statistics;

/// <summary>One point of an empirical ROC curve: cases with score &gt;= threshold are called positive.</summary>
public sealed record RocPoint(double Threshold, double Sensitivity, double Specificity);
