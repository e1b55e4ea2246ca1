namespace Derby.Statistics.Tests;

/// <summary>Clopper-Pearson against <c>binom.test</c>, Wilson against <c>prop.test(correct = FALSE)</c> (Fixtures/binomial.json).</summary>
public sealed class BinomialConfidenceIntervalTests
{
    [Fact]
    public void ClopperPearsonAndWilson_MatchR()
    {
        foreach (var r in Fixture.Json("binomial").EnumerateArray())
        {
            int k = (int)r.D("successes"), n = (int)r.D("trials");
            var cp = BinomialConfidenceInterval.Compute(k, n);
            var wi = BinomialConfidenceInterval.Compute(k, n, BinomialCiMethod.Wilson);

            Close.Equal(r.D("estimate"), cp.Estimate, what: $"{k}/{n} estimate");
            Close.Equal(r.D("cp_lower"), cp.Lower, what: $"{k}/{n} CP lower");
            Close.Equal(r.D("cp_upper"), cp.Upper, what: $"{k}/{n} CP upper");
            Close.Equal(r.D("wilson_lower"), wi.Lower, what: $"{k}/{n} Wilson lower");
            Close.Equal(r.D("wilson_upper"), wi.Upper, what: $"{k}/{n} Wilson upper");
        }
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(11, 10)]
    [InlineData(0, 0)]
    public void Compute_Throws_WhenCountsAreImpossible(int k, int n) =>
        Assert.Throws<StatisticsException>(() => BinomialConfidenceInterval.Compute(k, n));
}
