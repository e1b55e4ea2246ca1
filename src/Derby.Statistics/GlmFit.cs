using MathNet.Numerics.LinearAlgebra;

namespace Derby.Statistics;

/// <summary>
/// Binomial GLM with logit link by iteratively reweighted least squares, following R's <c>glm.fit</c>: start at
/// mu = (y + 1/2) / 2, stop when |dev - dev_old| / (|dev| + 0.1) &lt; epsilon (1e-8), at most 25 iterations.
/// The iterations are R's, step for step, so the estimates carry the same (tiny) convergence error as R's.
/// </summary>
internal static class GlmFit
{
    public const double Epsilon = 1e-8;
    public const int MaxIterations = 25;

    /// <summary>R's .Machine$double.eps (2^-52); .NET's double.Epsilon is the smallest subnormal instead.</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    public sealed record Result(double[] Beta, double Deviance, Matrix<double> Information, int Iterations, bool Converged, bool Boundary);

    /// <param name="columns">Design matrix by columns (may be empty: then only the offset is fitted).</param>
    /// <param name="y">0/1 response.</param>
    /// <param name="offset">Known part of the linear predictor, or null.</param>
    /// <param name="etaStart">Starting linear predictor (R's <c>etastart</c>), or null.</param>
    public static Result Fit(double[][] columns, double[] y, double[]? offset = null, double[]? etaStart = null)
    {
        var n = y.Length;
        var p = columns.Length;
        var eta = new double[n];
        for (var i = 0; i < n; i++)
        {
            eta[i] = etaStart?[i] ?? Logit((y[i] + 0.5) / 2);
        }

        var beta = new double[p];
        var devOld = Deviance(y, eta);
        var converged = p == 0;
        var iterations = 0;
        var z = new double[n];
        var w = new double[n];
        for (var iter = 1; iter <= MaxIterations && p > 0; iter++)
        {
            for (var i = 0; i < n; i++)
            {
                var mu = Expit(eta[i]);
                var muEta = Math.Max(mu * (1 - mu), MachineEpsilon);
                z[i] = eta[i] - (offset?[i] ?? 0) + (y[i] - mu) / muEta;
                w[i] = muEta;
            }

            var xtwx = WeightedCrossProduct(columns, w);
            var xtwz = Vector<double>.Build.Dense(p);
            for (var a = 0; a < p; a++)
            {
                var ca = columns[a];
                var s = 0.0;
                for (var i = 0; i < n; i++)
                {
                    s += ca[i] * w[i] * z[i];
                }

                xtwz[a] = s;
            }

            var next = Solve(xtwx, xtwz);
            for (var i = 0; i < n; i++)
            {
                var e = offset?[i] ?? 0;
                for (var a = 0; a < p; a++)
                {
                    e += columns[a][i] * next[a];
                }

                eta[i] = e;
            }

            for (var a = 0; a < p; a++)
            {
                beta[a] = next[a];
            }

            var dev = Deviance(y, eta);
            iterations = iter;
            if (Math.Abs(dev - devOld) / (Math.Abs(dev) + 0.1) < Epsilon)
            {
                converged = true;
                break;
            }

            devOld = dev;
        }

        // summary.glm's covariance comes from the QR of the last iteration, i.e. the weights before the final update.
        var info = p == 0 ? Matrix<double>.Build.Dense(0, 0) : WeightedCrossProduct(columns, w);
        var boundary = false;
        const double eps = 10 * MachineEpsilon; // R's glm.fit warns below 10 * .Machine$double.eps
        for (var i = 0; i < n; i++)
        {
            var mu = Expit(eta[i]);
            if (mu < eps || mu > 1 - eps)
            {
                boundary = true;
                break;
            }
        }

        return new Result(beta, Deviance(y, eta), info, iterations, converged, boundary);
    }

    private static Matrix<double> WeightedCrossProduct(double[][] columns, double[] w)
    {
        var p = columns.Length;
        var m = Matrix<double>.Build.Dense(p, p);
        for (var a = 0; a < p; a++)
        {
            for (var b = 0; b <= a; b++)
            {
                var t = 0.0;
                for (var i = 0; i < w.Length; i++)
                {
                    t += columns[a][i] * w[i] * columns[b][i];
                }

                m[a, b] = t;
                m[b, a] = t;
            }
        }

        return m;
    }

    public static Vector<double> Solve(Matrix<double> a, Vector<double> b)
    {
        try
        {
            return a.Cholesky().Solve(b);
        }
        catch (ArgumentException ex)
        {
            throw new StatisticsException("The design matrix is singular (a covariate is constant or a linear combination of others).", ex);
        }
    }

    /// <summary>Binomial deviance -2 sum(y log mu + (1 - y) log(1 - mu)) for 0/1 y, computed from eta without cancellation.</summary>
    public static double Deviance(double[] y, double[] eta)
    {
        var d = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            // log(1 + exp(-|eta|)) forms keep log mu and log(1 - mu) accurate far in the tails.
            var e = eta[i];
            var log1pexp = e > 0 ? e + Math.Log(1 + Math.Exp(-e)) : Math.Log(1 + Math.Exp(e));
            d += y[i] > 0.5 ? log1pexp - e : log1pexp;
        }

        return 2 * d;
    }

    public static double Expit(double eta) => 1 / (1 + Math.Exp(-eta));

    public static double Logit(double p) => Math.Log(p / (1 - p));
}
