using System.Text.Json;
using System.Text.Json.Nodes;
using Derby.Learning.Mixtures;

namespace Derby.Learning.Tests.Mixtures;

public sealed class GaussianMixtureTests
{
    // The truth: 3 well separated 2-D components, one of them correlated.
    private static readonly double[] TrueWeights = [0.5, 0.3, 0.2];
    private static readonly double[][] TrueMeans = [[0, 0], [6, 1], [1, 7]];
    private static readonly double[][,] TrueCovariances =
    [
        new double[,] { { 1.0, 0.6 }, { 0.6, 1.0 } },
        new double[,] { { 0.5, 0.0 }, { 0.0, 1.5 } },
        new double[,] { { 0.8, -0.3 }, { -0.3, 0.6 } },
    ];

    /// <summary>n draws from the true mixture (component by weight, then μ + L z with L the Cholesky factor and z Box-Muller normals).</summary>
    private static double[][] Sample(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var u = random.NextDouble();
            var k = u < TrueWeights[0] ? 0 : u < TrueWeights[0] + TrueWeights[1] ? 1 : 2;
            var c = TrueCovariances[k];
            var l00 = Math.Sqrt(c[0, 0]);
            var l10 = c[1, 0] / l00;
            var l11 = Math.Sqrt(c[1, 1] - (l10 * l10));
            var r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var theta = 2 * Math.PI * random.NextDouble();
            var z0 = r * Math.Cos(theta);
            var z1 = r * Math.Sin(theta);
            rows[i] = [TrueMeans[k][0] + (l00 * z0), TrueMeans[k][1] + (l10 * z0) + (l11 * z1)];
        }

        return rows;
    }

    private static int Closest(GaussianMixture mixture, double[] mean) =>
        Enumerable.Range(0, mixture.Components).MinBy(k => mixture.Mean(k).Zip(mean, (a, b) => (a - b) * (a - b)).Sum());

    [Fact]
    public void Fit_RecoversTheWeightsMeansAndCovariances_OfAKnownThreeComponentMixture()
    {
        var x = Sample(3000, seed: 1);
        var mixture = GaussianMixture.Fit(x, 3, CovarianceType.Full, seed: 7);

        Assert.True(mixture.Converged);
        var matched = TrueMeans.Select(m => Closest(mixture, m)).ToArray();
        Assert.Equal(3, matched.Distinct().Count());
        for (var t = 0; t < 3; t++)
        {
            var k = matched[t];
            Assert.InRange(mixture.Weights[k], TrueWeights[t] - 0.03, TrueWeights[t] + 0.03);
            Assert.InRange(mixture.Mean(k)[0], TrueMeans[t][0] - 0.1, TrueMeans[t][0] + 0.1);
            Assert.InRange(mixture.Mean(k)[1], TrueMeans[t][1] - 0.1, TrueMeans[t][1] + 0.1);
            var covariance = mixture.Covariance(k);
            for (var a = 0; a < 2; a++)
            {
                for (var b = 0; b < 2; b++)
                {
                    Assert.InRange(covariance[a, b], TrueCovariances[t][a, b] - 0.15, TrueCovariances[t][a, b] + 0.15);
                }
            }
        }
    }

    [Fact]
    public void SelectByBic_PicksThreeComponents_FromOneToSix()
    {
        var x = Sample(1500, seed: 2);
        var selection = GaussianMixture.SelectByBic(x, Enumerable.Range(1, 6), CovarianceType.Full, seed: 3);
        Assert.Equal(3, selection.Best.Components);
        Assert.Equal(Enumerable.Range(1, 6), selection.Candidates.Select(c => c.K));
        Assert.Equal(selection.Candidates.Min(c => c.Bic), selection.Best.Bic(x), 9);
    }

    [Fact]
    public void Responsibilities_AreRowsOfKProbabilities_ThatPointToTheRightComponent()
    {
        var x = Sample(600, seed: 4);
        var mixture = GaussianMixture.Fit(x, 3, CovarianceType.Diagonal, seed: 5);
        var resp = mixture.Responsibilities([[6, 1], [0, 0]]);
        Assert.All(resp, row => Assert.Equal(1.0, row.Sum(), 12));
        Assert.True(resp[0][Closest(mixture, [6, 1])] > 0.99);
        Assert.True(resp[1][Closest(mixture, [0, 0])] > 0.9);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void FromParameters_GivesTheSameResponsibilities_AsTheFittedMixture(CovarianceType type)
    {
        var x = Sample(300, seed: 10);
        var fitted = GaussianMixture.Fit(x, 3, type, seed: 1);
        var rebuilt = GaussianMixture.FromParameters(
            type,
            [.. fitted.Weights],
            Enumerable.Range(0, 3).Select(fitted.Mean).ToArray(),
            Enumerable.Range(0, 3).Select(fitted.CovarianceParameters).ToArray());
        Assert.Equal(fitted.Responsibilities(x).SelectMany(r => r), rebuilt.Responsibilities(x).SelectMany(r => r));
        Assert.Equal(fitted.Bic(x), rebuilt.Bic(x));
    }

    [Theory]
    [InlineData(CovarianceType.Full, "full", 1e-8)]
    [InlineData(CovarianceType.Diagonal, "diag", 1e-8)]
    [InlineData(CovarianceType.Full, "full", 1e-3)]
    public void Refit_MatchesScikitLearn_FromTheSameStartingPoint(CovarianceType type, string sklearnName, double tolerance)
    {
        var x = Sample(400, seed: 6);
        var options = new GaussianMixtureOptions(Tolerance: tolerance, MaxIterations: 500);
        var start = GaussianMixture.Initialize(x, 3, type, seed: 9, options);
        var ours = start.Refit(x, options);

        var precisions = Enumerable.Range(0, 3).Select(k =>
        {
            var p = start.Precision(k);
            return type == CovarianceType.Full
                ? (object)new[] { new[] { p[0, 0], p[0, 1] }, new[] { p[1, 0], p[1, 1] } }
                : new[] { p[0, 0], p[1, 1] };
        }).ToArray();
        var job = JsonSerializer.Serialize(new
        {
            x,
            k = 3,
            covariance = sklearnName,
            weights = start.Weights,
            means = Enumerable.Range(0, 3).Select(start.Mean).ToArray(),
            precisions,
            reg_covar = options.RegCovar,
            tol = options.Tolerance,
            max_iter = options.MaxIterations,
        });
        var peer = JsonNode.Parse(PythonPeer.Run("sklearn_gmm.py", job))!;

        Assert.Equal(peer["n_iter"]!.GetValue<int>(), ours.Iterations);
        Assert.True(ours.Converged);
        Assert.Equal(peer["n_parameters"]!.GetValue<int>(), ours.ParameterCount);
        Assert.Equal(peer["lower_bound"]!.GetValue<double>(), ours.LowerBound, 1e-6);
        Assert.Equal(peer["score"]!.GetValue<double>(), ours.Score(x), 1e-6);
        Assert.Equal(peer["bic"]!.GetValue<double>(), ours.Bic(x), 1e-6);
        var weights = peer["weights"]!.AsArray();
        var means = peer["means"]!.AsArray();
        var resp = peer["responsibilities"]!.AsArray();
        var ourResp = ours.Responsibilities(x);
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(weights[k]!.GetValue<double>(), ours.Weights[k], 1e-6);
            Assert.Equal(means[k]![0]!.GetValue<double>(), ours.Mean(k)[0], 1e-6);
            Assert.Equal(means[k]![1]!.GetValue<double>(), ours.Mean(k)[1], 1e-6);
        }

        var worst = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            for (var k = 0; k < 3; k++)
            {
                worst = Math.Max(worst, Math.Abs(resp[i]![k]!.GetValue<double>() - ourResp[i][k]));
            }
        }

        Assert.True(worst < 1e-6, $"largest responsibility difference {worst}");
    }
}
