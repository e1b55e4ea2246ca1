using Derby.Learning.Forest;

namespace Derby.Learning.Tests.Forest;

public sealed class TherapyResponseScoreTests
{
    private static PairTable Table(params (string Patient, int Area)[] pairs) =>
        PairTable.Create(["f"], pairs.Select((p, i) => new PairRow(p.Patient, $"pair{i}", p.Area, [0f])));

    [Fact]
    public void Compute_IsTheAreaWeightedMeanOfThePairProbabilities()
    {
        var table = Table(("A", 100), ("A", 300), ("B", 50), ("A", 600));
        var result = TherapyResponseScore.Compute(table, [0.9, 0.2, 0.4, 0.5]);

        Assert.Equal(2, result.Count);
        var a = result[0];
        Assert.Equal("A", a.PatientKey);
        // (100·0.9 + 300·0.2 + 600·0.5) / 1000 = (90 + 60 + 300) / 1000 = 0.45
        Assert.Equal(0.45, a.Score, 12);
        Assert.False(a.Responder);
        Assert.Equal(3, a.PairCount);
        Assert.Equal(1000, a.TotalArea);
        Assert.Equal(0.5, a.Threshold);
        Assert.Equal(new PatientResponse("B", 0.4, false, 0.5, 1, 50), result[1]);
    }

    [Fact]
    public void Compute_ExactlyTheThreshold_IsAResponder()
    {
        var table = Table(("A", 1), ("A", 1));
        var result = TherapyResponseScore.Compute(table, [0.25, 0.75]);
        Assert.Equal(0.5, result[0].Score);
        Assert.True(result[0].Responder);

        var stricter = TherapyResponseScore.Compute(table, [0.25, 0.75], threshold: 0.6);
        Assert.False(stricter[0].Responder);
        Assert.Equal(0.6, stricter[0].Threshold);
    }

    [Fact]
    public void Compute_APatientWithNoPairs_IsAnError()
    {
        var table = Table(("A", 10));
        var e = Assert.Throws<ArgumentException>(() => TherapyResponseScore.Compute(table, [0.3], ["A", "C"]));
        Assert.Contains("Patient 'C' has no pairs in the table", e.Message);
    }

    [Fact]
    public void Compute_RefusesMismatchedOrOutOfRangeProbabilities()
    {
        var table = Table(("A", 10), ("A", 20));
        Assert.Contains("1 probabilities for 2 pairs", Assert.Throws<ArgumentException>(() => TherapyResponseScore.Compute(table, [0.3])).Message);
        Assert.Contains("must be in [0, 1]", Assert.Throws<ArgumentException>(() => TherapyResponseScore.Compute(table, [0.3, 1.2])).Message);
    }
}
