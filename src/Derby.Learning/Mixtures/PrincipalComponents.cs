using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Derby.Learning.Mixtures;

/// <summary>
/// Principal components of standardised features: each feature centred on its mean and divided by its standard
/// deviation (population; features constant on the fitted rows are divided by 1), then projected on the leading
/// eigenvectors of the covariance matrix (n − 1 denominator, as scikit-learn's PCA). The sign of each component is fixed
/// so that its largest loading (in absolute value; the first on ties) is positive.
/// </summary>
public sealed class PrincipalComponents
{
    private readonly double[] mean;
    private readonly double[] scale;
    private readonly double[][] components;

    private PrincipalComponents(double[] mean, double[] scale, double[][] components, double[] explainedVariance, double explainedVarianceRatio)
    {
        this.mean = mean;
        this.scale = scale;
        this.components = components;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
    }

    /// <summary>Components kept.</summary>
    public int Dimensions => components.Length;

    /// <summary>Features in.</summary>
    public int Features => mean.Length;

    /// <summary>Variance along each kept component, largest first (empty when rebuilt from parameters).</summary>
    public IReadOnlyList<double> ExplainedVariance { get; }

    /// <summary>Share of the standardised features' total variance that the kept components hold (NaN when rebuilt from parameters).</summary>
    public double ExplainedVarianceRatio { get; }

    /// <summary>The features' means.</summary>
    public IReadOnlyList<double> Mean => mean;

    /// <summary>The features' divisors.</summary>
    public IReadOnlyList<double> Scale => scale;

    /// <summary>The unit loadings of component <paramref name="index"/> (one per feature).</summary>
    public double[] Component(int index) => (double[])components[index].Clone();

    /// <summary>Fits the leading <paramref name="dimensions"/> components on the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than two rows, rows of different lengths, non-finite values, or dimensions not in 1..features.</exception>
    public static PrincipalComponents Fit(double[][] x, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length < 2)
        {
            throw new ArgumentException($"{x.Length} row(s): principal components need at least two", nameof(x));
        }

        var p = x[0].Length;
        if (x.Any(r => r.Length != p))
        {
            throw new ArgumentException("Every row needs the same number of features", nameof(x));
        }

        if (x.Any(r => r.Any(v => !double.IsFinite(v))))
        {
            throw new ArgumentException("Features must be finite numbers", nameof(x));
        }

        if (dimensions < 1 || dimensions > p)
        {
            throw new ArgumentException($"Dimensions must be between 1 and the {p} features", nameof(dimensions));
        }

        var n = x.Length;
        var mean = new double[p];
        var scale = new double[p];
        for (var j = 0; j < p; j++)
        {
            var m = 0.0;
            for (var i = 0; i < n; i++)
            {
                m += x[i][j];
            }

            m /= n;
            var v = 0.0;
            for (var i = 0; i < n; i++)
            {
                v += (x[i][j] - m) * (x[i][j] - m);
            }

            var sd = Math.Sqrt(v / n);
            mean[j] = m;
            scale[j] = sd > 1e-12 * (1 + Math.Abs(m)) ? sd : 1;
        }

        var z = Matrix<double>.Build.Dense(n, p, (i, j) => (x[i][j] - mean[j]) / scale[j]);
        var covariance = z.TransposeThisAndMultiply(z) / (n - 1);
        var evd = covariance.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        var order = Enumerable.Range(0, p).OrderByDescending(k => values[k]).ThenBy(k => k).Take(dimensions).ToArray();
        var kept = new double[dimensions][];
        for (var c = 0; c < dimensions; c++)
        {
            var vector = evd.EigenVectors.Column(order[c]).ToArray();
            var largest = 0;
            for (var j = 1; j < p; j++)
            {
                if (Math.Abs(vector[j]) > Math.Abs(vector[largest]) + 1e-12)
                {
                    largest = j;
                }
            }

            if (vector[largest] < 0)
            {
                for (var j = 0; j < p; j++)
                {
                    vector[j] = -vector[j];
                }
            }

            kept[c] = vector;
        }

        var total = covariance.Diagonal().Sum();
        var explained = order.Select(k => Math.Max(values[k], 0)).ToArray();
        return new PrincipalComponents(mean, scale, kept, explained, total > 0 ? explained.Sum() / total : double.NaN);
    }

    /// <summary>Rebuilds fitted components from stored parameters.</summary>
    /// <exception cref="ArgumentException">The parameters do not fit together.</exception>
    public static PrincipalComponents FromParameters(double[] mean, double[] scale, double[][] components)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(components);
        if (scale.Length != mean.Length || components.Length == 0 || components.Any(c => c.Length != mean.Length) || scale.Any(s => !(s > 0)))
        {
            throw new ArgumentException("Principal component parameters do not fit together (one mean and positive scale per feature, at least one component of as many loadings)");
        }

        return new PrincipalComponents((double[])mean.Clone(), (double[])scale.Clone(), components.Select(c => (double[])c.Clone()).ToArray(), [], double.NaN);
    }

    /// <summary>The rows' scores on the kept components.</summary>
    /// <exception cref="ArgumentException">A row has another number of features than the fitted ones.</exception>
    public double[][] Transform(double[][] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = new double[x.Length][];
        for (var i = 0; i < x.Length; i++)
        {
            if (x[i].Length != mean.Length)
            {
                throw new ArgumentException($"Row {i} has {x[i].Length} features; the components were fitted on {mean.Length}", nameof(x));
            }

            var scores = new double[components.Length];
            for (var c = 0; c < components.Length; c++)
            {
                var s = 0.0;
                var loading = components[c];
                for (var j = 0; j < mean.Length; j++)
                {
                    s += (x[i][j] - mean[j]) / scale[j] * loading[j];
                }

                scores[c] = s;
            }

            result[i] = scores;
        }

        return result;
    }
}
