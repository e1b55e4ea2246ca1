namespace Derby.Statistics;

/// <summary>
/// L1-penalised logistic regression as R's <c>glmnet(x, y, family = "binomial")</c> (alpha = 1): minimise
/// -loglik / n + lambda * sum |beta_j| with covariates standardised by their mean and 1/n standard deviation, the intercept
/// unpenalised, coefficients reported on the original scale.
/// </summary>
/// <remarks>
/// Friedman, Hastie and Tibshirani (2010), J Stat Softw 33(1): the lambda sequence runs from lambda_max = max_j |x_j'(y - ybar)| / n
/// (standardised x) down to lambda_max * 1e-4 (1e-2 when n &lt; p) in 100 log-equal steps, stopping early (after at least 5)
/// when the deviance explained exceeds 0.999 or gains less than 1e-5; each lambda is solved by Newton steps whose penalised
/// weighted least-squares problems are solved by cyclic coordinate descent with soft thresholding, warm-started from the
/// previous lambda. Each solution is iterated to a tighter tolerance than glmnet's (whose own answers are accurate to about
/// 1e-5), and coefficients between path points are interpolated linearly in lambda, as <c>coef(fit, s = lambda)</c> does.
/// </remarks>
public static class LassoLogistic
{
    private const int NLambda = 100;
    private const double DevianceChangeStop = 1e-5;
    private const double DevianceRatioStop = 0.999;
    private const int MinLambdas = 5;

    /// <summary>The whole path.</summary>
    public static LassoPath Path(IReadOnlyList<double[]> covariates, IReadOnlyList<string> names, ReadOnlySpan<double> outcome)
    {
        var problem = new Problem(covariates, names, outcome.ToArray());
        return problem.Solve(problem.LambdaSequence(), earlyStop: true);
    }

    /// <summary>Coefficients at <paramref name="lambda"/>, interpolated on the path as <c>coef(glmnet(...), s = lambda)</c>.</summary>
    public static LassoFit At(IReadOnlyList<double[]> covariates, IReadOnlyList<string> names, ReadOnlySpan<double> outcome, double lambda)
    {
        if (!(lambda >= 0))
        {
            throw new StatisticsException($"Lambda must be non-negative (got {lambda}).");
        }

        return Interpolate(Path(covariates, names, outcome), lambda);
    }

    /// <summary>Linear interpolation in lambda between the two neighbouring path points (glmnet's <c>lambda.interp</c>), clamped to the path's range.</summary>
    public static LassoFit Interpolate(LassoPath path, double lambda)
    {
        var fits = path.Fits;
        var s = Math.Min(Math.Max(lambda, fits[^1].Lambda), fits[0].Lambda);
        var right = 0;
        while (right < fits.Count - 1 && fits[right].Lambda > s)
        {
            right++;
        }

        var left = Math.Max(right - 1, 0);
        if (fits[right].Lambda == s || left == right)
        {
            return fits[right] with { Lambda = lambda };
        }

        var frac = (s - fits[right].Lambda) / (fits[left].Lambda - fits[right].Lambda);
        var coefficients = fits[left].Coefficients.Zip(fits[right].Coefficients, (l, r) => frac * l + (1 - frac) * r).ToArray();
        return new LassoFit(lambda, frac * fits[left].Intercept + (1 - frac) * fits[right].Intercept, coefficients);
    }

    /// <summary>
    /// <c>cv.glmnet(x, y, family = "binomial", foldid = folds)</c>: each fold's model is fitted on the other folds along its own
    /// lambda sequence and evaluated at the full data's lambdas by interpolation on that path; held-out probabilities are clipped to [1e-5, 1 - 1e-5]; the per-observation deviance is averaged per fold,
    /// cvm is the fold-size weighted mean, cvsd = sqrt(weighted mean of (fold mean - cvm)^2 / (K - 1)).
    /// </summary>
    /// <param name="covariates">One array per covariate.</param>
    /// <param name="names">Covariate names.</param>
    /// <param name="outcome">0/1 outcome.</param>
    /// <param name="foldIds">Fold of each observation, 1..K.</param>
    public static LassoCrossValidation CrossValidate(IReadOnlyList<double[]> covariates, IReadOnlyList<string> names, ReadOnlySpan<double> outcome,
        ReadOnlySpan<int> foldIds)
    {
        var y = outcome.ToArray();
        var folds = foldIds.ToArray();
        if (folds.Length != y.Length)
        {
            throw new StatisticsException("Every observation needs a fold.");
        }

        var k = folds.Max();
        if (k < 3 || folds.Min() < 1)
        {
            throw new StatisticsException($"Cross-validation needs fold numbers 1..K with K >= 3 (got {folds.Min()}..{k}).");
        }

        var full = new Problem(covariates, names, y);
        var path = full.Solve(full.LambdaSequence(), earlyStop: true);
        var lambdas = path.Fits.Select(f => f.Lambda).ToArray();
        var foldMean = new double[k, lambdas.Length];
        var foldSize = new double[k];
        for (var f = 1; f <= k; f++)
        {
            var train = Enumerable.Range(0, y.Length).Where(i => folds[i] != f).ToArray();
            var test = Enumerable.Range(0, y.Length).Where(i => folds[i] == f).ToArray();
            if (test.Length == 0)
            {
                throw new StatisticsException($"Fold {f} is empty.");
            }

            foldSize[f - 1] = test.Length;
            var sub = new Problem(covariates.Select(c => train.Select(i => c[i]).ToArray()).ToList(), names, train.Select(i => y[i]).ToArray());
            // As cv.glmnet (4.1) does: each fold fits its own lambda sequence, then predicts at the full data's lambdas by
            // interpolating along its own path.
            var foldPath = sub.Solve(sub.LambdaSequence(), earlyStop: true);
            for (var l = 0; l < lambdas.Length; l++)
            {
                var fit = Interpolate(foldPath, lambdas[l]);
                var sum = 0.0;
                foreach (var i in test)
                {
                    var eta = fit.Intercept;
                    for (var j = 0; j < covariates.Count; j++)
                    {
                        eta += fit.Coefficients[j] * covariates[j][i];
                    }

                    var prob = Math.Min(Math.Max(GlmFit.Expit(eta), 1e-5), 1 - 1e-5);
                    sum += -2 * (y[i] > 0.5 ? Math.Log(prob) : Math.Log(1 - prob));
                }

                foldMean[f - 1, l] = sum / test.Length;
            }
        }

        var total = foldSize.Sum();
        var cvm = new double[lambdas.Length];
        var cvsd = new double[lambdas.Length];
        for (var l = 0; l < lambdas.Length; l++)
        {
            for (var f = 0; f < k; f++)
            {
                cvm[l] += foldSize[f] * foldMean[f, l] / total;
            }

            var ss = 0.0;
            for (var f = 0; f < k; f++)
            {
                ss += foldSize[f] * (foldMean[f, l] - cvm[l]) * (foldMean[f, l] - cvm[l]) / total;
            }

            cvsd[l] = Math.Sqrt(ss / (k - 1));
        }

        var min = cvm.Min();
        var iMin = Enumerable.Range(0, lambdas.Length).Where(l => cvm[l] <= min).OrderByDescending(l => lambdas[l]).First();
        var bound = cvm[iMin] + cvsd[iMin];
        var i1se = Enumerable.Range(0, lambdas.Length).Where(l => cvm[l] <= bound).OrderByDescending(l => lambdas[l]).First();
        return new LassoCrossValidation(path, cvm, cvsd, lambdas[iMin], lambdas[i1se]);
    }

    /// <summary>Fold numbers 1..K for n observations, balanced and shuffled reproducibly (as cv.glmnet's sample(rep(1:K, length = n))).</summary>
    public static int[] RandomFolds(int n, int folds, int seed)
    {
        if (folds < 3 || folds > n)
        {
            throw new StatisticsException($"Cross-validation needs 3 <= K <= n folds (got K = {folds}, n = {n}).");
        }

        var ids = Enumerable.Range(0, n).Select(i => i % folds + 1).ToArray();
        new Random(seed).Shuffle(ids);
        return ids;
    }

    private sealed class Problem
    {
        private readonly double[][] x; // standardised
        private readonly double[] y;
        private readonly double[] means;
        private readonly double[] sds;
        private readonly IReadOnlyList<string> names;
        private readonly int n;
        private readonly int p;

        public Problem(IReadOnlyList<double[]> covariates, IReadOnlyList<string> names, double[] outcome)
        {
            this.names = names;
            y = outcome;
            n = y.Length;
            p = covariates.Count;
            if (p == 0 || names.Count != p)
            {
                throw new StatisticsException("The LASSO needs at least one covariate, each with a name.");
            }

            var events = 0;
            foreach (var v in y)
            {
                if (v is not (0 or 1))
                {
                    throw new StatisticsException($"The outcome must be 0 or 1 (found {v}).");
                }

                events += (int)v;
            }

            if (events < 2 || n - events < 2)
            {
                throw new StatisticsException($"The LASSO needs at least 2 observations of each outcome (got {events} events in {n}).");
            }

            means = new double[p];
            sds = new double[p];
            x = new double[p][];
            for (var j = 0; j < p; j++)
            {
                var c = covariates[j];
                if (c.Length != n)
                {
                    throw new StatisticsException($"Covariate {names[j]} has {c.Length} values for {n} outcomes.");
                }

                var m = c.Average();
                var v = c.Sum(t => (t - m) * (t - m)) / n;
                if (v <= 0)
                {
                    throw new StatisticsException($"Covariate {names[j]} is constant.");
                }

                means[j] = m;
                sds[j] = Math.Sqrt(v);
                x[j] = c.Select(t => (t - m) / sds[j]).ToArray();
            }
        }

        public double[] LambdaSequence()
        {
            var ybar = y.Average();
            var lambdaMax = 0.0;
            for (var j = 0; j < p; j++)
            {
                var g = 0.0;
                for (var i = 0; i < n; i++)
                {
                    g += x[j][i] * (y[i] - ybar);
                }

                lambdaMax = Math.Max(lambdaMax, Math.Abs(g) / n);
            }

            var ratio = n < p ? 1e-2 : 1e-4;
            return Enumerable.Range(0, NLambda).Select(k => lambdaMax * Math.Pow(ratio, k / (double)(NLambda - 1))).ToArray();
        }

        public LassoPath Solve(double[] lambdas, bool earlyStop)
        {
            var ybar = y.Average();
            var b0 = Math.Log(ybar / (1 - ybar));
            var beta = new double[p];
            var nullDev = Deviance(b0, beta);
            var fits = new List<LassoFit>();
            var ratios = new List<double>();
            foreach (var lambda in lambdas)
            {
                b0 = SolveAt(lambda, b0, beta);
                var ratio = 1 - Deviance(b0, beta) / nullDev;
                var original = new double[p];
                var intercept = b0;
                for (var j = 0; j < p; j++)
                {
                    original[j] = beta[j] / sds[j];
                    intercept -= original[j] * means[j];
                }

                fits.Add(new LassoFit(lambda, intercept, original));
                ratios.Add(ratio);
                if (earlyStop && fits.Count >= MinLambdas &&
                    (ratio > DevianceRatioStop || ratios[^1] - ratios[^2] < DevianceChangeStop))
                {
                    break;
                }
            }

            return new LassoPath(names, fits, ratios);
        }

        /// <summary>Newton steps on the penalised likelihood; each step's weighted lasso is solved by coordinate descent.</summary>
        private double SolveAt(double lambda, double b0, double[] beta)
        {
            var eta = new double[n];
            var w = new double[n];
            var r = new double[n];
            for (var outer = 0; outer < 100; outer++)
            {
                for (var i = 0; i < n; i++)
                {
                    var e = b0;
                    for (var j = 0; j < p; j++)
                    {
                        e += x[j][i] * beta[j];
                    }

                    eta[i] = e;
                    var mu = GlmFit.Expit(e);
                    w[i] = Math.Max(mu * (1 - mu), 1e-9) / n;
                    // Working residual z - eta.
                    r[i] = (y[i] - mu) / Math.Max(mu * (1 - mu), 1e-9);
                }

                var oldB0 = b0;
                var oldBeta = (double[])beta.Clone();
                var xv = new double[p];
                for (var j = 0; j < p; j++)
                {
                    var s = 0.0;
                    for (var i = 0; i < n; i++)
                    {
                        s += w[i] * x[j][i] * x[j][i];
                    }

                    xv[j] = s;
                }

                var wSum = w.Sum();
                for (var sweep = 0; sweep < 100000; sweep++)
                {
                    var maxChange = 0.0;
                    for (var j = 0; j < p; j++)
                    {
                        var g = 0.0;
                        for (var i = 0; i < n; i++)
                        {
                            g += w[i] * x[j][i] * r[i];
                        }

                        var old = beta[j];
                        var u = g + xv[j] * old;
                        var next = Math.Sign(u) * Math.Max(Math.Abs(u) - lambda, 0) / xv[j];
                        var d = next - old;
                        if (d != 0)
                        {
                            beta[j] = next;
                            for (var i = 0; i < n; i++)
                            {
                                r[i] -= d * x[j][i];
                            }

                            maxChange = Math.Max(maxChange, xv[j] * d * d);
                        }
                    }

                    var d0 = 0.0;
                    for (var i = 0; i < n; i++)
                    {
                        d0 += w[i] * r[i];
                    }

                    d0 /= wSum;
                    b0 += d0;
                    for (var i = 0; i < n; i++)
                    {
                        r[i] -= d0;
                    }

                    maxChange = Math.Max(maxChange, wSum * d0 * d0);
                    if (maxChange < 1e-20)
                    {
                        break;
                    }
                }

                var change = (b0 - oldB0) * (b0 - oldB0);
                for (var j = 0; j < p; j++)
                {
                    change = Math.Max(change, (beta[j] - oldBeta[j]) * (beta[j] - oldBeta[j]));
                }

                if (change < 1e-22)
                {
                    break;
                }
            }

            return b0;
        }

        private double Deviance(double b0, double[] beta)
        {
            var eta = new double[n];
            for (var i = 0; i < n; i++)
            {
                var e = b0;
                for (var j = 0; j < p; j++)
                {
                    e += x[j][i] * beta[j];
                }

                eta[i] = e;
            }

            return GlmFit.Deviance(y, eta);
        }
    }
}
