namespace Derby.Learning.Mixtures;

/// <summary>
/// A Gaussian mixture fitted by expectation-maximisation, following scikit-learn's <c>GaussianMixture</c> (1.2) step
/// for step so its numbers can be compared: M-step with <c>nk = Σ resp + 10 ε</c> and <c>reg_covar</c> on the
/// diagonal, E-step in log space with log-sum-exp, stop when the mean log-likelihood changes by less than the
/// tolerance (<see cref="LowerBound"/> is that mean under the parameters before the last M-step, as scikit-learn's
/// <c>lower_bound_</c>), BIC = −2 log L + p ln n with p counted as scikit-learn does. Initialisation: k-means++ seeding
/// (seeded), Lloyd iterations, then weights, means and covariances from the hard assignments (scikit-learn's "kmeans"
/// initialisation). In DERBY the mixture is fitted on the training cohort's 1024-d pair features only, and each pair's
/// F_img is its vector of posterior responsibilities (<see cref="Responsibilities(double[][])"/>). Plain C#, no LibTorch.
/// </summary>
public sealed class GaussianMixture
{
    private const double Log2Pi = 1.8378770664093453;  // ln(2π)
    private const double MachineEpsilon = 2.220446049250313e-16;  // numpy.finfo(float64).eps

    private readonly double[] weights;
    private readonly double[][] means;

    // Full: covariance, and its lower Cholesky factor, d × d row-major per component. Diagonal: variances, d per component.
    private readonly double[][] covariances;
    private readonly double[][] factors;
    private readonly double[] logDeterminants;

    private GaussianMixture(CovarianceType type, double[] weights, double[][] means, double[][] covariances, double lowerBound, int iterations, bool converged)
    {
        CovarianceType = type;
        Components = weights.Length;
        Dimension = means[0].Length;
        this.weights = weights;
        this.means = means;
        this.covariances = covariances;
        factors = new double[Components][];
        logDeterminants = new double[Components];
        for (var k = 0; k < Components; k++)
        {
            if (type == CovarianceType.Full)
            {
                factors[k] = Cholesky(covariances[k], Dimension, k);
                var logDet = 0.0;
                for (var i = 0; i < Dimension; i++)
                {
                    logDet += 2 * Math.Log(factors[k][(i * Dimension) + i]);
                }

                logDeterminants[k] = logDet;
            }
            else
            {
                var logDet = 0.0;
                foreach (var v in covariances[k])
                {
                    if (!(v > 0))
                    {
                        throw IllDefined(k);
                    }

                    logDet += Math.Log(v);
                }

                factors[k] = covariances[k];
                logDeterminants[k] = logDet;
            }
        }

        LowerBound = lowerBound;
        Iterations = iterations;
        Converged = converged;
    }

    /// <summary>Number of components K.</summary>
    public int Components { get; }

    /// <summary>Dimension d of the data.</summary>
    public int Dimension { get; }

    /// <summary>Form of the covariances.</summary>
    public CovarianceType CovarianceType { get; }

    /// <summary>Mixing weights, summing to 1.</summary>
    public IReadOnlyList<double> Weights => weights;

    /// <summary>Mean log-likelihood at the last EM check (scikit-learn's <c>lower_bound_</c>); NaN before fitting.</summary>
    public double LowerBound { get; }

    /// <summary>EM iterations run (scikit-learn's <c>n_iter_</c>); 0 for an initialisation.</summary>
    public int Iterations { get; }

    /// <summary>Whether EM met the tolerance within the allowed iterations.</summary>
    public bool Converged { get; }

    /// <summary>Free parameters: covariances + means + K − 1 weights (scikit-learn's <c>_n_parameters</c>).</summary>
    public int ParameterCount
    {
        get
        {
            var covarianceParameters = CovarianceType == CovarianceType.Full ? Components * Dimension * (Dimension + 1) / 2 : Components * Dimension;
            return covarianceParameters + (Components * Dimension) + Components - 1;
        }
    }

    /// <summary>
    /// Rebuilds a mixture from stored parameters (a frozen model version): weights, means, and per component the values
    /// of <see cref="CovarianceParameters"/> (d × d row-major for full, d variances for diagonal).
    /// </summary>
    /// <exception cref="ArgumentException">Inconsistent lengths, or weights that do not sum to 1.</exception>
    /// <exception cref="InvalidOperationException">A covariance that is not positive definite.</exception>
    public static GaussianMixture FromParameters(CovarianceType type, double[] weights, double[][] means, double[][] covariances)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        if (weights.Length == 0 || means.Length != weights.Length || covariances.Length != weights.Length)
        {
            throw new ArgumentException($"{weights.Length} weights, {means.Length} means and {covariances.Length} covariances: need one of each per component.");
        }

        if (Math.Abs(weights.Sum() - 1.0) > 1e-8 || weights.Any(w => !(w > 0)))
        {
            throw new ArgumentException("Weights must be positive and sum to 1.", nameof(weights));
        }

        var d = means[0].Length;
        var size = type == CovarianceType.Full ? d * d : d;
        if (d == 0 || means.Any(m => m.Length != d) || covariances.Any(c => c.Length != size))
        {
            throw new ArgumentException($"Means of length d and covariances of {(type == CovarianceType.Full ? "d × d" : "d")} values each.");
        }

        return new GaussianMixture(
            type, (double[])weights.Clone(), means.Select(m => (double[])m.Clone()).ToArray(),
            covariances.Select(c => (double[])c.Clone()).ToArray(), double.NaN, 0, false);
    }

    /// <summary>Fits K components: k-means++ initialisation with <paramref name="seed"/>, then EM.</summary>
    /// <exception cref="ArgumentException">No data, rows of different lengths, non-finite values, or K outside 1..n.</exception>
    /// <exception cref="InvalidOperationException">A covariance became singular (increase <see cref="GaussianMixtureOptions.RegCovar"/>).</exception>
    public static GaussianMixture Fit(double[][] x, int components, CovarianceType type, int seed, GaussianMixtureOptions? options = null)
    {
        options ??= GaussianMixtureOptions.Default;
        return Initialize(x, components, type, seed, options).Refit(x, options);
    }

    /// <summary>Fits every K of <paramref name="componentCounts"/> (same seed) and keeps the one with the lowest BIC.</summary>
    public static BicSelection SelectByBic(double[][] x, IEnumerable<int> componentCounts, CovarianceType type, int seed, GaussianMixtureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(componentCounts);
        var candidates = new List<(int K, double Bic)>();
        GaussianMixture? best = null;
        var bestBic = double.PositiveInfinity;
        foreach (var k in componentCounts)
        {
            var mixture = Fit(x, k, type, seed, options);
            var bic = mixture.Bic(x);
            candidates.Add((k, bic));
            if (bic < bestBic)
            {
                best = mixture;
                bestBic = bic;
            }
        }

        return best is null ? throw new ArgumentException("No component counts to try.", nameof(componentCounts)) : new BicSelection(best, candidates);
    }

    /// <summary>
    /// The starting point of <see cref="Fit"/>: k-means++ seeding with <paramref name="seed"/>, Lloyd iterations, and the
    /// weights, means and covariances of the hard assignments. Exposed so a peer can start EM from the same point.
    /// </summary>
    public static GaussianMixture Initialize(double[][] x, int components, CovarianceType type, int seed, GaussianMixtureOptions? options = null)
    {
        options ??= GaussianMixtureOptions.Default;
        var (n, d) = Check(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(components, n);
        var labels = KMeans(x, components, seed, options.KMeansIterations);
        var resp = new double[n][];
        for (var i = 0; i < n; i++)
        {
            resp[i] = new double[components];
            resp[i][labels[i]] = 1.0;
        }

        var (nk, mu, cov) = Estimate(x, resp, components, d, type, options.RegCovar);
        var w = nk.Select(v => v / n).ToArray();  // scikit-learn's _initialize divides by n, not by Σ nk.
        return new GaussianMixture(type, w, mu, cov, double.NaN, 0, false);
    }

    /// <summary>Runs EM on <paramref name="x"/> starting from this mixture's parameters.</summary>
    public GaussianMixture Refit(double[][] x, GaussianMixtureOptions? options = null)
    {
        options ??= GaussianMixtureOptions.Default;
        var (n, d) = Check(x);
        if (d != Dimension)
        {
            throw new ArgumentException($"Data of dimension {d}; the mixture has {Dimension}.", nameof(x));
        }

        var current = this;
        var lowerBound = double.NegativeInfinity;
        var converged = false;
        var iterations = 0;
        for (var iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            var previous = lowerBound;
            var logResp = current.LogResponsibilities(x, out var meanLogLikelihood);
            var resp = logResp.Select(row => row.Select(Math.Exp).ToArray()).ToArray();
            var (nk, mu, cov) = Estimate(x, resp, Components, d, CovarianceType, options.RegCovar);
            var total = nk.Sum();
            current = new GaussianMixture(CovarianceType, nk.Select(v => v / total).ToArray(), mu, cov, double.NaN, 0, false);
            lowerBound = meanLogLikelihood;
            iterations = iteration;
            if (Math.Abs(lowerBound - previous) < options.Tolerance)
            {
                converged = true;
                break;
            }
        }

        return new GaussianMixture(CovarianceType, current.weights, current.means, current.covariances, lowerBound, iterations, converged);
    }

    /// <summary>Posterior responsibilities, n × K (rows sum to 1): for a pair feature, its F_img.</summary>
    public double[][] Responsibilities(double[][] x)
    {
        Check(x, Dimension);
        return LogResponsibilities(x, out _).Select(row => row.Select(Math.Exp).ToArray()).ToArray();
    }

    /// <summary>Posterior responsibilities of single-precision rows (the networks' pair features), n × K.</summary>
    public double[][] Responsibilities(float[][] features) => Responsibilities(ToDouble(features));

    /// <summary>Single-precision rows (the networks' pair features) as double-precision rows for fitting.</summary>
    public static double[][] ToDouble(float[][] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return features.Select(row => (row ?? throw new ArgumentException("A null row.", nameof(features))).Select(v => (double)v).ToArray()).ToArray();
    }

    /// <summary>Log-likelihood of each row under the mixture.</summary>
    public double[] LogLikelihoods(double[][] x)
    {
        Check(x, Dimension);
        return x.Select(row =>
        {
            var weighted = WeightedLogProbabilities(row);
            return LogSumExp(weighted);
        }).ToArray();
    }

    /// <summary>Mean log-likelihood per row (scikit-learn's <c>score</c>).</summary>
    public double Score(double[][] x) => LogLikelihoods(x).Average();

    /// <summary>Bayesian information criterion on <paramref name="x"/>: −2 log L + p ln n.</summary>
    public double Bic(double[][] x) => (-2 * Score(x) * x.Length) + (ParameterCount * Math.Log(x.Length));

    /// <summary>Mean of component <paramref name="component"/> (a copy).</summary>
    public double[] Mean(int component) => (double[])means[component].Clone();

    /// <summary>Covariance of component <paramref name="component"/>, d × d (zero off the diagonal for <see cref="CovarianceType.Diagonal"/>).</summary>
    public double[,] Covariance(int component)
    {
        var c = new double[Dimension, Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            if (CovarianceType == CovarianceType.Diagonal)
            {
                c[i, i] = covariances[component][i];
                continue;
            }

            for (var j = 0; j < Dimension; j++)
            {
                c[i, j] = covariances[component][(i * Dimension) + j];
            }
        }

        return c;
    }

    /// <summary>The stored covariance values of a component (a copy): d × d row-major for full, d variances for diagonal.</summary>
    public double[] CovarianceParameters(int component) => (double[])covariances[component].Clone();

    /// <summary>Precision (inverse covariance) of component <paramref name="component"/>, d × d.</summary>
    public double[,] Precision(int component)
    {
        var p = new double[Dimension, Dimension];
        if (CovarianceType == CovarianceType.Diagonal)
        {
            for (var i = 0; i < Dimension; i++)
            {
                p[i, i] = 1.0 / covariances[component][i];
            }

            return p;
        }

        // Column j of the inverse: solve L Lᵀ p = e_j.
        var e = new double[Dimension];
        for (var j = 0; j < Dimension; j++)
        {
            Array.Clear(e);
            e[j] = 1.0;
            var z = SolveLower(factors[component], Dimension, e);
            var column = SolveUpperTransposed(factors[component], Dimension, z);
            for (var i = 0; i < Dimension; i++)
            {
                p[i, j] = column[i];
            }
        }

        return p;
    }

    private double[][] LogResponsibilities(double[][] x, out double meanLogLikelihood)
    {
        var result = new double[x.Length][];
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var weighted = WeightedLogProbabilities(x[i]);
            var norm = LogSumExp(weighted);
            sum += norm;
            for (var k = 0; k < weighted.Length; k++)
            {
                weighted[k] -= norm;
            }

            result[i] = weighted;
        }

        meanLogLikelihood = sum / x.Length;
        return result;
    }

    /// <summary>log w_k + log N(x | μ_k, Σ_k) for every component.</summary>
    private double[] WeightedLogProbabilities(double[] row)
    {
        var result = new double[Components];
        var diff = new double[Dimension];
        for (var k = 0; k < Components; k++)
        {
            var mu = means[k];
            for (var j = 0; j < Dimension; j++)
            {
                diff[j] = row[j] - mu[j];
            }

            double mahalanobis = 0;
            if (CovarianceType == CovarianceType.Full)
            {
                var z = SolveLower(factors[k], Dimension, diff);
                foreach (var v in z)
                {
                    mahalanobis += v * v;
                }
            }
            else
            {
                var variances = covariances[k];
                for (var j = 0; j < Dimension; j++)
                {
                    mahalanobis += diff[j] * diff[j] / variances[j];
                }
            }

            result[k] = (-0.5 * ((Dimension * Log2Pi) + mahalanobis + logDeterminants[k])) + Math.Log(weights[k]);
        }

        return result;
    }

    /// <summary>scikit-learn's <c>_estimate_gaussian_parameters</c>: nk, means and covariances (+ reg_covar) from responsibilities.</summary>
    private static (double[] Nk, double[][] Means, double[][] Covariances) Estimate(double[][] x, double[][] resp, int components, int d, CovarianceType type, double regCovar)
    {
        var n = x.Length;
        var nk = new double[components];
        var mu = new double[components][];
        var cov = new double[components][];
        for (var k = 0; k < components; k++)
        {
            var total = 0.0;
            var m = new double[d];
            for (var i = 0; i < n; i++)
            {
                var r = resp[i][k];
                total += r;
                if (r == 0)
                {
                    continue;
                }

                for (var j = 0; j < d; j++)
                {
                    m[j] += r * x[i][j];
                }
            }

            total += 10 * MachineEpsilon;  // nk + 10·eps(float64), as scikit-learn
            for (var j = 0; j < d; j++)
            {
                m[j] /= total;
            }

            var c = new double[type == CovarianceType.Full ? d * d : d];
            var diff = new double[d];
            for (var i = 0; i < n; i++)
            {
                var r = resp[i][k];
                if (r == 0)
                {
                    continue;
                }

                for (var j = 0; j < d; j++)
                {
                    diff[j] = x[i][j] - m[j];
                }

                if (type == CovarianceType.Full)
                {
                    for (var a = 0; a < d; a++)
                    {
                        var ra = r * diff[a];
                        for (var b = 0; b <= a; b++)
                        {
                            c[(a * d) + b] += ra * diff[b];
                        }
                    }
                }
                else
                {
                    for (var j = 0; j < d; j++)
                    {
                        c[j] += r * diff[j] * diff[j];
                    }
                }
            }

            if (type == CovarianceType.Full)
            {
                for (var a = 0; a < d; a++)
                {
                    for (var b = 0; b <= a; b++)
                    {
                        var v = c[(a * d) + b] / total;
                        c[(a * d) + b] = v;
                        c[(b * d) + a] = v;
                    }

                    c[(a * d) + a] += regCovar;
                }
            }
            else
            {
                for (var j = 0; j < d; j++)
                {
                    c[j] = (c[j] / total) + regCovar;
                }
            }

            nk[k] = total;
            mu[k] = m;
            cov[k] = c;
        }

        return (nk, mu, cov);
    }

    /// <summary>k-means++ seeding (D² sampling, seeded) followed by Lloyd iterations; returns each row's cluster.</summary>
    private static int[] KMeans(double[][] x, int k, int seed, int maxIterations)
    {
        var n = x.Length;
        var random = new Random(seed);
        var centres = new double[k][];
        centres[0] = (double[])x[random.Next(n)].Clone();
        var nearest = x.Select(row => SquaredDistance(row, centres[0])).ToArray();
        for (var c = 1; c < k; c++)
        {
            var total = nearest.Sum();
            var pick = n - 1;
            if (total > 0)
            {
                var u = random.NextDouble() * total;
                var cumulative = 0.0;
                for (var i = 0; i < n; i++)
                {
                    cumulative += nearest[i];
                    if (cumulative >= u && nearest[i] > 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            else
            {
                pick = random.Next(n);
            }

            centres[c] = (double[])x[pick].Clone();
            for (var i = 0; i < n; i++)
            {
                nearest[i] = Math.Min(nearest[i], SquaredDistance(x[i], centres[c]));
            }
        }

        var labels = new int[n];
        Array.Fill(labels, -1);
        for (var iteration = 0; iteration < Math.Max(1, maxIterations); iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var best = 0;
                var bestDistance = double.PositiveInfinity;
                for (var c = 0; c < k; c++)
                {
                    var distance = SquaredDistance(x[i], centres[c]);
                    if (distance < bestDistance)
                    {
                        best = c;
                        bestDistance = distance;
                    }
                }

                changed |= labels[i] != best;
                labels[i] = best;
            }

            if (!changed || iteration == maxIterations - 1)
            {
                break;
            }

            var counts = new int[k];
            var sums = new double[k][];
            for (var c = 0; c < k; c++)
            {
                sums[c] = new double[x[0].Length];
            }

            for (var i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                for (var j = 0; j < x[i].Length; j++)
                {
                    sums[labels[i]][j] += x[i][j];
                }
            }

            for (var c = 0; c < k; c++)
            {
                if (counts[c] > 0)
                {
                    centres[c] = sums[c].Select(v => v / counts[c]).ToArray();  // An emptied cluster keeps its centre.
                }
            }
        }

        return labels;
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        var s = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            var t = a[j] - b[j];
            s += t * t;
        }

        return s;
    }

    private static double LogSumExp(double[] values)
    {
        var max = values.Max();
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        var s = 0.0;
        foreach (var v in values)
        {
            s += Math.Exp(v - max);
        }

        return max + Math.Log(s);
    }

    private static double[] Cholesky(double[] a, int d, int component)
    {
        var l = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var s = a[(i * d) + j];
                for (var m = 0; m < j; m++)
                {
                    s -= l[(i * d) + m] * l[(j * d) + m];
                }

                if (i == j)
                {
                    if (!(s > 0))
                    {
                        throw IllDefined(component);
                    }

                    l[(i * d) + i] = Math.Sqrt(s);
                }
                else
                {
                    l[(i * d) + j] = s / l[(j * d) + j];
                }
            }
        }

        return l;
    }

    private static double[] SolveLower(double[] l, int d, double[] b)
    {
        var z = new double[d];
        for (var i = 0; i < d; i++)
        {
            var s = b[i];
            for (var m = 0; m < i; m++)
            {
                s -= l[(i * d) + m] * z[m];
            }

            z[i] = s / l[(i * d) + i];
        }

        return z;
    }

    private static double[] SolveUpperTransposed(double[] l, int d, double[] b)
    {
        var z = new double[d];
        for (var i = d - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var m = i + 1; m < d; m++)
            {
                s -= l[(m * d) + i] * z[m];
            }

            z[i] = s / l[(i * d) + i];
        }

        return z;
    }

    private static InvalidOperationException IllDefined(int component) => new(
        $"The covariance of component {component} is not positive definite (collapsed onto too few or identical samples): " +
        "decrease the number of components, or increase RegCovar.");

    private static (int N, int D) Check(double[][] x, int? dimension = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length == 0)
        {
            throw new ArgumentException("No rows.", nameof(x));
        }

        var d = dimension ?? x[0]?.Length ?? 0;
        if (d == 0)
        {
            throw new ArgumentException("Rows of length 0.", nameof(x));
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (x[i] is null || x[i].Length != d)
            {
                throw new ArgumentException($"Row {i} has length {x[i]?.Length ?? 0}; expected {d}.", nameof(x));
            }

            foreach (var v in x[i])
            {
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"Row {i} has a non-finite value.", nameof(x));
                }
            }
        }

        return (x.Length, d);
    }
}
