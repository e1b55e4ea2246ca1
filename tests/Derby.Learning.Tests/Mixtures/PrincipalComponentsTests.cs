using System.Text.Json;
using System.Text.Json.Nodes;
using Derby.Learning.Mixtures;

namespace Derby.Learning.Tests.Mixtures;

public sealed class PrincipalComponentsTests
{
    /// <summary>
    /// n rows of 12 features: three latent normal factors of standard deviations 3, 2 and 1 loaded on the features with
    /// fixed weights, plus unit noise, each feature on its own scale and offset; feature 11 constant (its divisor must be 1).
    /// </summary>
    private static double[][] Sample(int n, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var loadings = Enumerable.Range(0, 3).Select(f => Enumerable.Range(0, 11).Select(j => Math.Sin((f + 1) * (j + 1))).ToArray()).ToArray();
        var rows = new double[n][];
        for (var i = 0; i < n; i++)
        {
            double[] factors = [3 * Normal(), 2 * Normal(), Normal()];
            var row = new double[12];
            for (var j = 0; j < 11; j++)
            {
                var v = Normal();
                for (var f = 0; f < 3; f++)
                {
                    v += factors[f] * loadings[f][j];
                }

                row[j] = (v * (j + 1)) + (10 * j);
            }

            row[11] = 4.5;
            rows[i] = row;
        }

        return rows;
    }

    [Fact]
    public void Fit_MatchesScikitLearnsStandardScalerAndPca_UpToEachComponentsSign()
    {
        var x = Sample(300, seed: 5);
        var ours = PrincipalComponents.Fit(x, 4);
        var job = JsonSerializer.Serialize(new { x, dimensions = 4 });
        var peer = JsonNode.Parse(PythonPeer.Run("sklearn_pca.py", job))!;

        Assert.Equal(4, ours.Dimensions);
        Assert.Equal(12, ours.Features);
        Assert.Equal(1.0, ours.Scale[11]);
        Assert.Equal(peer["explained_variance_ratio"]!.GetValue<double>(), ours.ExplainedVarianceRatio, 1e-9);
        var scores = ours.Transform(x);
        for (var c = 0; c < 4; c++)
        {
            Assert.Equal(peer["explained_variance"]![c]!.GetValue<double>(), ours.ExplainedVariance[c], 1e-8);
            var theirs = peer["components"]![c]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var component = ours.Component(c);
            var sign = Math.Sign(theirs.Zip(component, (a, b) => a * b).Sum());
            Assert.NotEqual(0, sign);
            for (var j = 0; j < 12; j++)
            {
                Assert.Equal(theirs[j], sign * component[j], 1e-8);
            }

            for (var i = 0; i < x.Length; i++)
            {
                Assert.Equal(peer["scores"]![i]![c]!.GetValue<double>(), sign * scores[i][c], 1e-7);
            }

            // The sign rule: the largest loading is positive.
            Assert.True(component.MaxBy(Math.Abs) > 0);
        }
    }

    [Fact]
    public void Fit_FindsTheLatentStructure_ThreeComponentsHoldMostOfTheVariance()
    {
        var x = Sample(2000, seed: 6);
        var three = PrincipalComponents.Fit(x, 3);
        var all = PrincipalComponents.Fit(x, 12);

        // 11 varying features: three factors (variances 9, 4, 1 on loadings of squared norm about 5.5) over unit noise.
        Assert.InRange(three.ExplainedVarianceRatio, 0.85, 0.97);
        Assert.Equal(11.0 * x.Length / (x.Length - 1), all.ExplainedVariance.Sum(), 1e-6);
        Assert.True(all.ExplainedVariance.Zip(all.ExplainedVariance.Skip(1), (a, b) => a >= b).All(b => b));
        var scores = three.Transform(x);
        for (var a = 0; a < 3; a++)
        {
            Assert.Equal(0, scores.Average(r => r[a]), 1e-9);
            for (var b = a + 1; b < 3; b++)
            {
                Assert.Equal(0, scores.Sum(r => r[a] * r[b]) / (x.Length - 1), 1e-7);
            }
        }
    }

    [Fact]
    public void FromParameters_ReproducesTheFittedProjection()
    {
        var x = Sample(100, seed: 7);
        var fitted = PrincipalComponents.Fit(x, 2);
        var rebuilt = PrincipalComponents.FromParameters([.. fitted.Mean], [.. fitted.Scale], [fitted.Component(0), fitted.Component(1)]);

        Assert.Equal(fitted.Transform(x).SelectMany(r => r), rebuilt.Transform(x).SelectMany(r => r));
    }

    [Fact]
    public void BadInput_IsRefusedWithTheReason()
    {
        var x = Sample(10, seed: 8);
        Assert.Contains("at least two", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit([x[0]], 1)).Message);
        Assert.Contains("between 1 and the 12 features", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit(x, 13)).Message);
        Assert.Contains("between 1 and the 12 features", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit(x, 0)).Message);
        Assert.Contains("same number", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit([x[0], [1.0, 2.0]], 1)).Message);
        x[3][2] = double.NaN;
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit(x, 1)).Message);
        var fitted = PrincipalComponents.Fit(Sample(10, seed: 9), 2);
        Assert.Contains("fitted on 12", Assert.Throws<ArgumentException>(() => fitted.Transform([[1.0, 2.0]])).Message);
        Assert.Throws<ArgumentException>(() => PrincipalComponents.FromParameters([0.0, 0.0], [1.0, 0.0], [[1.0, 0.0]]));
    }
}
