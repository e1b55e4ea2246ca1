namespace Derby.Statistics;

/// <summary>DeLong's paired test of two correlated AUCs measured on the same subjects.</summary>
public sealed record AucComparison(double Auc1, double Auc2, double Z, double P);
