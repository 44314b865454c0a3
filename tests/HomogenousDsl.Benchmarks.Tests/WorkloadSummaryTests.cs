using HomogenousDsl.Benchmarks.Report;
using HomogenousDsl.Benchmarks.Workloads;
using static HomogenousDsl.Benchmarks.Tests.ComparisonRounds;

namespace HomogenousDsl.Benchmarks.Tests;

public sealed class WorkloadSummaryTests
{
    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    public void MedianIsTheMiddleValue(double[] values, double median) => Assert.Equal(median, WorkloadSummary.Median(values));

    [Fact]
    public void MedianOfNothingIsAnError() => Assert.Throws<ArgumentException>(() => WorkloadSummary.Median([]));

    /// <summary>
    /// A slow spell that hits both sides of one round leaves that round's ratio alone: the ratio is the median of the
    /// rounds' ratios (here 2.0), not the ratio of the median rates (1,000 / 400 = 2.5).
    /// </summary>
    [Fact]
    public void RatioIsTheMedianOfEachRoundsRatio()
    {
        ComparisonRound[] rounds =
        [
            Round(1, 200, new Dictionary<string, (double, double)> { ["W2"] = (500, 1_000) }),
            Round(1, 200, new Dictionary<string, (double, double)> { ["W2"] = (400, 1_200) }),
            Round(1, 200, new Dictionary<string, (double, double)> { ["W2"] = (250, 500) }),
        ];
        var summary = WorkloadSummary.Of(Workload.W2, rounds)!;
        Assert.Equal(3, summary.Rounds);
        Assert.Equal(2.0, summary.Ratio, 12);
        Assert.Equal(1_000, summary.OursRate);
        Assert.Equal(400, summary.PeerRate);
        Assert.Equal(450, summary.OursSlowestWindow, 9);
        Assert.Equal(1_320, summary.OursFastestWindow, 9);
    }

    /// <summary>Each round's GFLOP/s is divided by that round's own peak; the median and the range are reported.</summary>
    [Fact]
    public void FractionOfPeakUsesEachRoundsPeak()
    {
        var flops = Workload.W3.FlopsPerStep / 1e9;
        ComparisonRound[] rounds =
        [
            Round(1, 100 * flops, new Dictionary<string, (double, double)> { ["W3"] = (30, 80) }),    // 80%
            Round(1, 50 * flops, new Dictionary<string, (double, double)> { ["W3"] = (15, 45) }),     // 90% (a slow round)
            Round(1, 100 * flops, new Dictionary<string, (double, double)> { ["W3"] = (30, 70) }),    // 70%
        ];
        var summary = WorkloadSummary.Of(Workload.W3, rounds)!;
        Assert.Equal(0.80, summary.FractionOfPeak, 9);
        Assert.Equal(0.70, summary.FractionRange.Low, 9);
        Assert.Equal(0.90, summary.FractionRange.High, 9);
        Assert.Equal(70 * flops, summary.OursGflops, 6);
    }

    [Fact]
    public void RoundsWithoutTheWorkloadAreLeftOut()
    {
        ComparisonRound[] rounds =
        [
            Round(2, 400, new Dictionary<string, (double, double)> { ["W2"] = (500, 1_000) }),
            Round(2, 400, new Dictionary<string, (double, double)> { ["W3"] = (40, 100) }),
        ];
        Assert.Equal(1, WorkloadSummary.Of(Workload.W2, rounds)!.Rounds);
        Assert.Null(WorkloadSummary.Of(Workload.W4, rounds));
    }
}
