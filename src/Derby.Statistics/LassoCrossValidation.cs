namespace Derby.Statistics;

/// <summary>K-fold cross-validation of the LASSO path (glmnet's <c>cv.glmnet</c>, binomial deviance).</summary>
/// <param name="Path">The path fitted on all data.</param>
/// <param name="MeanDeviance">Cross-validated mean deviance per lambda (<c>cvm</c>).</param>
/// <param name="StandardError">Its standard error across folds (<c>cvsd</c>).</param>
/// <param name="LambdaMin">Largest lambda with the smallest mean deviance.</param>
/// <param name="Lambda1se">Largest lambda whose mean deviance is within one standard error of the minimum.</param>
public sealed record LassoCrossValidation(LassoPath Path, IReadOnlyList<double> MeanDeviance, IReadOnlyList<double> StandardError,
    double LambdaMin, double Lambda1se);
