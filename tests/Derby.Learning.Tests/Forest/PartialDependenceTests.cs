using Derby.Learning.Forest;

namespace Derby.Learning.Tests.Forest;

public sealed class PartialDependenceTests
{
    [Fact]
    public void Curve_RisesWithASignalFeature_AndIsFlatForNoise()
    {
        // f0 has weight +2 in the generating logistic model; f9 is pure noise.
        var data = ForestData.Generate(patients: 200, columns: 10, seed: 21);
        var forest = PairForest.Train(data.Table, data.Responders, new RandomForestOptions { Trees = 100, MaximumLeaves = 32, Seed = 2 });

        var signal = PartialDependence.Compute(forest, data.Table, data.Table, "f0", points: 15);
        var noise = PartialDependence.Compute(forest, data.Table, data.Table, "f9", points: 15);

        Assert.Equal(15, signal.Grid.Count);
        Assert.True(signal.Grid.Zip(signal.Grid.Skip(1)).All(g => g.First < g.Second));
        var rho = Spearman(signal.Grid, signal.MeanScore);
        Assert.True(rho > 0.9, $"Spearman of the f0 curve: {rho:F3}");
        var signalRange = signal.MeanScore.Max() - signal.MeanScore.Min();
        var noiseRange = noise.MeanScore.Max() - noise.MeanScore.Min();
        Assert.True(signalRange > 0.15, $"f0 range {signalRange:F3}");
        Assert.True(noiseRange < 0.25 * signalRange, $"noise range {noiseRange:F3} against f0's {signalRange:F3}");
    }

    [Fact]
    public void Grid_IsTheDistinctQuantiles()
    {
        Assert.Equal([0.0, 1.5, 3.0], PartialDependence.Grid([3f, 0f, 1f, 2f], 3));
        Assert.Equal([1.0, 2.0], PartialDependence.Grid([1f, 1f, 1f, 2f], 4).Distinct());
    }

    private static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var ranks = new double[values.Count];
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }

            i = j + 1;
        }

        return ranks;
    }
}
