using MathNet.Numerics.LinearAlgebra;

namespace Derby.Statistics;

/// <summary>
/// Cox proportional hazards regression as R's <c>survival::coxph</c> (Efron's approximation for tied event times, Newton-Raphson
/// from beta = 0 with step halving, covariates centred), with Wald intervals and tests, Harrell's concordance, and the
/// <c>cox.zph</c> test of proportional hazards.
/// </summary>
/// <remarks>
/// Efron (1977), JASA 72:557: at a time with d tied events the r-th (r = 0..d-1) event's risk-set sums are reduced by r/d of the
/// tied events' sums. Grambsch and Therneau (1994), Biometrika 81:515, for the score test of beta(t) = beta + theta g(t) with
/// g = 1 - KM(t-) (centred at the events), computed as <c>cox.zph</c> does in survival 3.x from the full 2p x 2p information.
/// </remarks>
public static class CoxRegression
{
    private const double Eps = 1e-9;

    /// <summary><c>coxph.control</c>'s <c>iter.max</c>.</summary>
    private const int MaxIterations = 20;

    /// <summary><c>coxph.control</c>'s <c>toler.inf</c>, sqrt(eps).</summary>
    private static readonly double InfiniteTolerance = Math.Sqrt(Eps);

    /// <summary>Fits the model.</summary>
    /// <param name="times">Follow-up times.</param>
    /// <param name="events">1 = event, 0 = censored.</param>
    /// <param name="covariates">One array per covariate.</param>
    /// <param name="names">Covariate names.</param>
    /// <param name="confidenceLevel">Level of the hazard ratios' Wald intervals.</param>
    public static CoxModel Fit(ReadOnlySpan<double> times, ReadOnlySpan<int> events, IReadOnlyList<double[]> covariates, IReadOnlyList<string> names,
        double confidenceLevel = 0.95)
    {
        var data = Prepare(times, events, covariates, names);
        var p = data.P;
        var beta = new double[p];
        var (loglik0, score, info) = data.Evaluate(beta);
        var loglikNull = loglik0;
        var loglik = loglik0;
        var iterations = 0;
        var converged = false;
        var current = beta;
        for (var iter = 1; iter <= MaxIterations; iter++)
        {
            iterations = iter;
            Vector<double> step;
            try
            {
                step = GlmFit.Solve(info, Vector<double>.Build.DenseOfArray(score));
            }
            catch (StatisticsException ex) when (iter > 1)
            {
                // Singular at beta = 0 is the design's fault (said as such); singular only after the coefficients have moved
                // means the information has run out along a direction the likelihood keeps climbing.
                throw new StatisticsException(
                    $"The Cox model did not converge: after {iter - 1} iterations the information matrix is singular, so a coefficient may be infinite (monotone likelihood, e.g. the events ordered exactly by a covariate).", ex);
            }

            var candidate = new double[p];
            for (var j = 0; j < p; j++)
            {
                candidate[j] = current[j] + step[j];
            }

            var (ll, u, im) = data.Evaluate(candidate);
            // coxph halves the step towards the previous estimate whenever the log-likelihood went down.
            var halvings = 0;
            while ((ll < loglik || double.IsNaN(ll)) && halvings++ < 30)
            {
                for (var j = 0; j < p; j++)
                {
                    candidate[j] = (candidate[j] + current[j]) / 2;
                }

                (ll, u, im) = data.Evaluate(candidate);
            }

            var done = Math.Abs(1 - loglik / ll) <= Eps;
            current = candidate;
            loglik = ll;
            score = u;
            info = im;
            if (done)
            {
                converged = true;
                break;
            }
        }

        if (!converged)
        {
            throw new StatisticsException($"The Cox model did not converge in {MaxIterations} iterations: a coefficient may be infinite (monotone likelihood, e.g. no events in one group).");
        }

        var cov = info.Inverse();
        var infinite = MayBeInfinite(current, score, cov);
        var z975 = Distributions.NormalQuantile(1 - (1 - confidenceLevel) / 2);
        var coefficients = new List<CoxCoefficient>();
        for (var j = 0; j < p; j++)
        {
            var se = Math.Sqrt(cov[j, j]);
            var zj = current[j] / se;
            coefficients.Add(new CoxCoefficient(names[j], current[j], se, Math.Exp(current[j]), Math.Exp(current[j] - z975 * se),
                Math.Exp(current[j] + z975 * se), zj, Distributions.TwoSidedNormalP(zj), infinite[j]));
        }

        var lp = data.LinearPredictor(current);
        return new CoxModel(data.N, data.EventCount, coefficients, loglikNull, loglik, Concordance.Harrell(data.Time, data.Status, lp), iterations);
    }

    /// <summary>
    /// <c>coxph.fit</c>'s test for a monotone likelihood, which warns "Loglik converged before variable j; coefficient may be
    /// infinite": the log-likelihood stopped changing while one more Newton step, u' V (u the score and V the variance at the
    /// estimate), would still move coefficient j by more than <c>eps</c> and by more than <c>toler.inf</c> of its size.
    /// </summary>
    private static bool[] MayBeInfinite(double[] beta, double[] score, Matrix<double> variance)
    {
        var infinite = new bool[beta.Length];
        for (var j = 0; j < beta.Length; j++)
        {
            var step = 0.0;
            for (var k = 0; k < beta.Length; k++)
            {
                step += score[k] * variance[k, j];
            }

            step = Math.Abs(step);
            infinite[j] = !double.IsFinite(score[j]) || (step > Eps && step > InfiniteTolerance * Math.Abs(beta[j]));
        }

        return infinite;
    }

    /// <summary>
    /// <c>cox.zph(fit, transform = "km", terms = TRUE, global = TRUE)</c>: the score test of adding x g(t) to the model at
    /// (beta_hat, 0), per covariate (with all of beta_hat's block in the information) and jointly.
    /// </summary>
    public static ProportionalHazardsTest TestProportionalHazards(ReadOnlySpan<double> times, ReadOnlySpan<int> events, IReadOnlyList<double[]> covariates,
        IReadOnlyList<string> names)
    {
        var model = Fit(times, events, covariates, names);
        var data = Prepare(times, events, covariates, names);
        var p = data.P;
        var beta = model.Coefficients.Select(c => c.Coefficient).ToArray();

        // g(t) = 1 - KM(t-) over all subjects, centred at its mean over the events.
        var km = KaplanMeier.Fit(times, events);
        var kmTimes = km.Points.Select(x => x.Time).ToArray();
        var kmSurv = km.Points.Select(x => x.Survival).ToArray();
        double G(double t)
        {
            // KM just before t: the last event time strictly below t.
            var idx = Array.BinarySearch(kmTimes, t);
            var below = idx >= 0 ? idx : ~idx;
            return 1 - (below == 0 ? 1.0 : kmSurv[below - 1]);
        }

        var eventG = new List<double>();
        for (var i = 0; i < data.N; i++)
        {
            if (data.Status[i] == 1)
            {
                eventG.Add(G(data.Time[i]));
            }
        }

        var meanG = eventG.Average();
        var ug = new double[p];
        var imat = Matrix<double>.Build.Dense(2 * p, 2 * p);
        data.Evaluate(beta, (time, uT, iT) =>
        {
            var g = G(time) - meanG;
            for (var a = 0; a < p; a++)
            {
                ug[a] += g * uT[a];
                for (var b = 0; b < p; b++)
                {
                    imat[a, b] += iT[a, b];
                    imat[a, b + p] += g * iT[a, b];
                    imat[a + p, b] += g * iT[a, b];
                    imat[a + p, b + p] += g * g * iT[a, b];
                }
            }
        });

        var terms = new List<(string, ChiSquareResult)>();
        for (var j = 0; j < p; j++)
        {
            var kk = Enumerable.Range(0, p).Append(p + j).ToArray();
            var sub = Matrix<double>.Build.Dense(kk.Length, kk.Length, (r, c) => imat[kk[r], kk[c]]);
            var u = Vector<double>.Build.Dense(kk.Length);
            u[p] = ug[j];
            var test = sub.Solve(u).DotProduct(u);
            terms.Add((names[j], new ChiSquareResult(test, 1, Distributions.ChiSquareUpper(test, 1))));
        }

        var full = Vector<double>.Build.Dense(2 * p);
        for (var j = 0; j < p; j++)
        {
            full[p + j] = ug[j];
        }

        var global = imat.Solve(full).DotProduct(full);
        return new ProportionalHazardsTest(terms, new ChiSquareResult(global, p, Distributions.ChiSquareUpper(global, p)));
    }

    private static CoxData Prepare(ReadOnlySpan<double> times, ReadOnlySpan<int> events, IReadOnlyList<double[]> covariates, IReadOnlyList<string> names)
    {
        KaplanMeier.Validate(times, events);
        if (covariates.Count == 0 || covariates.Count != names.Count)
        {
            throw new StatisticsException("A Cox model needs at least one covariate, each with a name.");
        }

        foreach (var c in covariates)
        {
            if (c.Length != times.Length)
            {
                throw new StatisticsException("Every covariate needs one value per subject.");
            }
        }

        var eventCount = 0;
        foreach (var e in events)
        {
            eventCount += e;
        }

        if (eventCount < 1)
        {
            throw new StatisticsException("A Cox model needs at least one event (found none).");
        }

        return new CoxData(times.ToArray(), events.ToArray(), covariates);
    }

    /// <summary>The data sorted by decreasing time, covariates centred, for one pass per evaluation.</summary>
    private sealed class CoxData
    {
        private readonly double[] sortedTime;
        private readonly int[] sortedStatus;
        private readonly double[][] x; // [subject][covariate], sorted, centred
        private readonly double[] means;
        private readonly double[][] original;

        public CoxData(double[] time, int[] status, IReadOnlyList<double[]> covariates)
        {
            Time = time;
            Status = status;
            N = time.Length;
            P = covariates.Count;
            original = covariates.ToArray();
            EventCount = status.Sum();
            means = covariates.Select(c => c.Average()).ToArray();
            var order = Enumerable.Range(0, N).ToArray();
            var keys = time.Select(t => -t).ToArray();
            Array.Sort(keys, order);
            sortedTime = order.Select(i => time[i]).ToArray();
            sortedStatus = order.Select(i => status[i]).ToArray();
            x = order.Select(i => Enumerable.Range(0, P).Select(j => covariates[j][i] - means[j]).ToArray()).ToArray();
        }

        public double[] Time { get; }

        public int[] Status { get; }

        public int N { get; }

        public int P { get; }

        public int EventCount { get; }

        public double[] LinearPredictor(double[] beta)
        {
            var lp = new double[N];
            for (var i = 0; i < N; i++)
            {
                for (var j = 0; j < P; j++)
                {
                    lp[i] += (original[j][i] - means[j]) * beta[j];
                }
            }

            return lp;
        }

        public (double LogLik, double[] Score, Matrix<double> Information) Evaluate(double[] beta) => Evaluate(beta, null);

        /// <summary>
        /// Efron partial log-likelihood, score and information at beta; <paramref name="perTime"/> (if given) receives each event
        /// time's score and information contributions.
        /// </summary>
        public (double LogLik, double[] Score, Matrix<double> Information) Evaluate(double[] beta, Action<double, double[], double[,]>? perTime)
        {
            var p = P;
            var s1 = new double[p];
            var s2 = new double[p, p];
            var d1 = new double[p];
            var d2 = new double[p, p];
            var score = new double[p];
            var info = new double[p, p];
            var mean = new double[p];
            var uT = new double[p];
            var iT = new double[p, p];
            double s0 = 0, loglik = 0;
            var i = 0;
            while (i < N)
            {
                var t = sortedTime[i];
                double d0 = 0;
                var deaths = 0;
                Array.Clear(d1);
                Array.Clear(d2);
                var sumEtaDeaths = 0.0;
                while (i < N && sortedTime[i] == t)
                {
                    var xi = x[i];
                    var eta = 0.0;
                    for (var j = 0; j < p; j++)
                    {
                        eta += xi[j] * beta[j];
                    }

                    var r = Math.Exp(eta);
                    s0 += r;
                    for (var a = 0; a < p; a++)
                    {
                        s1[a] += r * xi[a];
                        for (var b = 0; b <= a; b++)
                        {
                            s2[a, b] += r * xi[a] * xi[b];
                        }
                    }

                    if (sortedStatus[i] == 1)
                    {
                        deaths++;
                        d0 += r;
                        sumEtaDeaths += eta;
                        for (var a = 0; a < p; a++)
                        {
                            d1[a] += r * xi[a];
                            score[a] += xi[a];
                            if (perTime != null)
                            {
                                uT[a] += xi[a];
                            }

                            for (var b = 0; b <= a; b++)
                            {
                                d2[a, b] += r * xi[a] * xi[b];
                            }
                        }
                    }

                    i++;
                }

                if (deaths == 0)
                {
                    continue;
                }

                loglik += sumEtaDeaths;
                for (var k = 0; k < deaths; k++)
                {
                    var frac = (double)k / deaths;
                    var denom = s0 - frac * d0;
                    loglik -= Math.Log(denom);
                    for (var a = 0; a < p; a++)
                    {
                        mean[a] = (s1[a] - frac * d1[a]) / denom;
                        score[a] -= mean[a];
                        if (perTime != null)
                        {
                            uT[a] -= mean[a];
                        }
                    }

                    for (var a = 0; a < p; a++)
                    {
                        for (var b = 0; b <= a; b++)
                        {
                            var v = (s2[a, b] - frac * d2[a, b]) / denom - mean[a] * mean[b];
                            info[a, b] += v;
                            if (perTime != null)
                            {
                                iT[a, b] += v;
                            }
                        }
                    }
                }

                if (perTime != null)
                {
                    for (var a = 0; a < p; a++)
                    {
                        for (var b = 0; b < a; b++)
                        {
                            iT[b, a] = iT[a, b];
                        }
                    }

                    perTime(t, uT, iT);
                    Array.Clear(uT);
                    Array.Clear(iT);
                }
            }

            var m = Matrix<double>.Build.Dense(p, p, (a, b) => a >= b ? info[a, b] : info[b, a]);
            return (loglik, score, m);
        }
    }
}
