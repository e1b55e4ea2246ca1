using MathNet.Numerics.Distributions;

namespace Derby.Statistics;

/// <summary>
/// Logistic regression as R's <c>glm(y ~ ..., family = binomial)</c>: Fisher scoring, Wald z and p from
/// <c>summary.glm</c>, odds ratios exp(beta) with profile-likelihood intervals from <c>confint</c> (MASS's
/// <c>profile.glm</c> + <c>confint.profile.glm</c>, including its spline interpolation of the signed root deviance, so the
/// limits agree with R's to the printed digit rather than being the exact roots).
/// </summary>
public static class LogisticRegression
{
    /// <summary>Fits the model with an intercept.</summary>
    /// <param name="covariates">One array per covariate, each as long as <paramref name="outcome"/>.</param>
    /// <param name="names">Covariate names (the intercept is named "(Intercept)").</param>
    /// <param name="outcome">0/1 outcome.</param>
    /// <param name="confidenceLevel">Level of the profile-likelihood intervals.</param>
    public static LogisticModel Fit(IReadOnlyList<double[]> covariates, IReadOnlyList<string> names, ReadOnlySpan<double> outcome, double confidenceLevel = 0.95)
    {
        if (covariates.Count != names.Count)
        {
            throw new StatisticsException("Each covariate needs a name.");
        }

        var n = outcome.Length;
        var y = outcome.ToArray();
        var events = 0;
        foreach (var v in y)
        {
            if (v is not (0 or 1))
            {
                throw new StatisticsException($"The outcome must be 0 or 1 (found {v}).");
            }

            events += (int)v;
        }

        if (events == 0 || events == n)
        {
            throw new StatisticsException($"Logistic regression needs both outcomes; all {n} observations are {(events == 0 ? 0 : 1)}.");
        }

        var columns = new double[covariates.Count + 1][];
        columns[0] = Enumerable.Repeat(1.0, n).ToArray();
        for (var j = 0; j < covariates.Count; j++)
        {
            if (covariates[j].Length != n)
            {
                throw new StatisticsException($"Covariate {names[j]} has {covariates[j].Length} values for {n} outcomes.");
            }

            columns[j + 1] = covariates[j];
        }

        var allNames = new[] { "(Intercept)" }.Concat(names).ToArray();
        var fit = GlmFit.Fit(columns, y);
        if (!fit.Converged || fit.Boundary)
        {
            throw new StatisticsException(
                "Logistic regression did not converge: fitted probabilities of 0 or 1 occurred, so the outcome is perfectly (or quasi-) separated by the covariates and the odds ratios are infinite.");
        }

        var cov = fit.Information.Inverse();
        var se = Enumerable.Range(0, columns.Length).Select(j => Math.Sqrt(cov[j, j])).ToArray();
        var a = (1 - confidenceLevel) / 2;
        var result = new List<LogisticCoefficient>();
        for (var j = 0; j < columns.Length; j++)
        {
            var (lo, hi) = ProfileInterval(columns, y, fit, se, j, a);
            var z = fit.Beta[j] / se[j];
            result.Add(new LogisticCoefficient(allNames[j], fit.Beta[j], se[j], Math.Exp(fit.Beta[j]), Math.Exp(lo), Math.Exp(hi), z,
                Distributions.TwoSidedNormalP(z)));
        }

        return new LogisticModel(result, fit.Deviance, fit.Deviance + 2 * columns.Length, fit.Iterations);
    }

    /// <summary>
    /// MASS <c>profile.glm</c>: from the estimate, step by del = zmax / 5 standard errors (zmax = sqrt(qchisq(1 - alpha, 1)),
    /// alpha = (1 - level) / 4, at most 9 steps each way, stopping once |z| &gt;= zmax), refit the others with the parameter
    /// fixed as an offset, record z = sign * sqrt(deviance - deviance_hat); then <c>confint.profile.glm</c>: spline z against
    /// the parameter and read off where z crosses qnorm(a) and qnorm(1 - a) by linear interpolation.
    /// </summary>
    private static (double Lower, double Upper) ProfileInterval(double[][] columns, double[] y, GlmFit.Result fit, double[] se, int j, double a)
    {
        var alpha = a / 2; // confint.glm calls profile() with alpha = (1 - level) / 4.
        var zmax = Math.Sqrt(ChiSquared.InvCDF(1, 1 - alpha));
        var del = zmax / 5;
        const int maxSteps = 10;
        var others = columns.Where((_, k) => k != j).ToArray();
        var n = y.Length;
        var zs = new List<double> { 0.0 };
        var pars = new List<double> { fit.Beta[j] };
        foreach (var sign in new[] { -1, 1 })
        {
            var step = 0;
            var z = 0.0;
            var lp = new double[n];
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < columns.Length; k++)
                {
                    lp[i] += columns[k][i] * fit.Beta[k];
                }
            }

            while (++step < maxSteps && Math.Abs(z) < zmax)
            {
                var bi = fit.Beta[j] + sign * step * del * se[j];
                var offset = new double[n];
                for (var i = 0; i < n; i++)
                {
                    offset[i] = columns[j][i] * bi;
                }

                var sub = GlmFit.Fit(others, y, offset, lp);
                for (var i = 0; i < n; i++)
                {
                    var e = offset[i];
                    for (var k = 0; k < others.Length; k++)
                    {
                        e += others[k][i] * sub.Beta[k];
                    }

                    lp[i] = e;
                }

                var zz = sub.Deviance - fit.Deviance;
                if (zz < -0.001)
                {
                    throw new StatisticsException("Profiling found a better fit than the estimate: the model did not converge.");
                }

                z = sign * Math.Sqrt(Math.Max(zz, 0));
                zs.Add(z);
                pars.Add(bi);
            }
        }

        var order = Enumerable.Range(0, zs.Count).OrderBy(k => zs[k]).ToArray();
        var (sx, sy) = FmmSpline.Spline(order.Select(k => pars[k]).ToArray(), order.Select(k => zs[k]).ToArray());
        var q = Distributions.NormalQuantile(a);
        return (FmmSpline.Approx(sy, sx, q), FmmSpline.Approx(sy, sx, -q));
    }
}
