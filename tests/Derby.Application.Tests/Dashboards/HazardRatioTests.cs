using Derby.Application.Dashboards;

namespace Derby.Application.Tests.Dashboards;

/// <summary>
/// The dashboards' hazard ratio of predicted responders: reported when R's coxph gives one, "not estimable" with the reason
/// when coxph warns that the coefficient may be infinite (the groups' events separate in time). Reference values from R 4.2,
/// survival 3.5 (code below).
/// </summary>
public sealed class HazardRatioTests
{
    // R:
    //   t0 <- c(1,2,3,4,5,6,7,8); e0 <- c(1,1,0,1,1,1,0,1); t1 <- c(9,10,11,12,13,14); e1 <- c(1,0,1,1,0,1)
    //   coxph(Surv(c(t0,t1), c(e0,e1)) ~ rep(0:1, c(8,6)))   # coef -22.0; "Loglik converged before variable 1; coefficient may be infinite"
    //   coxph(Surv(c(t0,t1), c(e0,e1)) ~ rep(1:0, c(8,6)))   # coef +22.0; the same warning
    //   t1n <- c(7.5,10,11,12,13,14)                          # one responder event while a non-responder is still at risk
    //   m <- coxph(Surv(c(t0,t1n), c(e0,e1)) ~ rep(0:1, c(8,6))); exp(coef(m)); exp(confint(m)); summary(m)$coefficients[,5]
    //     # HR 0.07398443676408964 (0.00818993389867428-0.66834445198460246), p 0.02040610841300458, no warning
    private static readonly double[] EarlyTimes = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly int[] EarlyEvents = [1, 1, 0, 1, 1, 1, 0, 1];
    private static readonly double[] LateTimes = [9, 10, 11, 12, 13, 14];
    private static readonly int[] LateEvents = [1, 0, 1, 1, 0, 1];

    private static (double[] Times, int[] Events, string[] Groups) Data(double[] firstTimes, string first, double[] secondTimes, string second) =>
        ([.. firstTimes, .. secondTimes], [.. EarlyEvents, .. LateEvents],
            [.. firstTimes.Select(_ => first), .. secondTimes.Select(_ => second)]);

    [Theory]
    [InlineData(false, "PFS", "every PFS event of the predicted responders comes after the last of the predicted non-responders has left follow-up, so the hazard ratio tends to 0")]
    [InlineData(true, "OS", "every OS event of the predicted non-responders comes after the last of the predicted responders has left follow-up, so the hazard ratio tends to infinity")]
    public void OneGroupsEventsAllAfterTheOtherGroupHasLeft_HazardRatioIsNotEstimable_SayingWhichWay(bool respondersFirst, string endpoint, string why)
    {
        var (early, late) = respondersFirst
            ? (DashboardService.PredictedResponders, DashboardService.PredictedNonResponders)
            : (DashboardService.PredictedNonResponders, DashboardService.PredictedResponders);
        var (times, events, groups) = Data(EarlyTimes, early, LateTimes, late);

        var hr = DashboardService.HazardRatio(endpoint, times, events, groups);

        Assert.Null(hr.Value);
        Assert.Equal("not estimable: " + why, hr.Reason);
    }

    [Fact]
    public void OneEventOverlapping_HazardRatioIsCoxphs()
    {
        double[] overlapping = [7.5, .. LateTimes[1..]];
        var (times, events, groups) = Data(EarlyTimes, DashboardService.PredictedNonResponders, overlapping, DashboardService.PredictedResponders);

        var hr = DashboardService.HazardRatio("PFS", times, events, groups);

        Assert.Null(hr.Reason);
        Assert.False(hr.Value!.MayBeInfinite);
        Assert.Equal(0.07398443676408964, hr.Value.HazardRatio, 1e-6);
        Assert.Equal(0.00818993389867428, hr.Value.HazardRatioLower, 1e-6);
        Assert.Equal(0.66834445198460246, hr.Value.HazardRatioUpper, 1e-6);
        Assert.Equal(0.02040610841300458, hr.Value.P, 1e-6);
    }

    [Fact]
    public void NoEventsInAGroup_SaysWhichGroup()
    {
        var (times, _, groups) = Data(EarlyTimes, DashboardService.PredictedNonResponders, LateTimes, DashboardService.PredictedResponders);
        int[] events = [.. EarlyEvents, .. LateEvents.Select(_ => 0)];

        var hr = DashboardService.HazardRatio("OS", times, events, groups);

        Assert.Equal("not estimable: no OS events among the predicted responders", hr.Reason);
    }
}
