using HomogenousDsl.Benchmarks.Report;
using HomogenousDsl.Benchmarks.Workloads;
using static HomogenousDsl.Benchmarks.Tests.ComparisonRounds;

namespace HomogenousDsl.Benchmarks.Tests;

public sealed class PerformanceReportTests
{
    private static readonly DateTimeOffset When = new(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SeveralRoundsShowPerRoundPeaksAndTheRangeOfFractions()
    {
        var w3 = Workload.W3.FlopsPerStep / 1e9;
        ThreadSection[] sections =
        [
            new("1 thread", [
                Round(1, 100 * w3, new Dictionary<string, (double, double)> { ["W3"] = (30, 86) }),
                Round(1, 100 * w3, new Dictionary<string, (double, double)> { ["W3"] = (30, 84) }),
                Round(1, 100 * w3, new Dictionary<string, (double, double)> { ["W3"] = (30, 90) }),
            ]),
            new("All threads (2)", [
                Round(2, 200 * w3, new Dictionary<string, (double, double)> { ["W3"] = (50, 120) }),
                Round(2, 200 * w3, new Dictionary<string, (double, double)> { ["W3"] = (50, 140) }),
                Round(2, 200 * w3, new Dictionary<string, (double, double)> { ["W3"] = (50, 130) }),
            ]),
        ];
        var markdown = PerformanceReport.Render(sections, "Test CPU", When);
        Assert.Contains("ran in 3 rounds", markdown);
        Assert.Contains("per round: **", markdown);
        // One thread: 86% median, 84–90% over rounds, target 85% met; two threads: 65%, missed.
        Assert.Contains("| 86% (84–90%) | 0 | ≥ 85% of peak | yes |", markdown);
        Assert.Contains("| 65% (60–70%) | 0 | ≥ 85% of peak | **no** |", markdown);
        Assert.Contains("| W2 MLP 784-256-256-1, b64 | not run |", markdown);
    }

    /// <summary>A workload only one side ran shows that side's rate and nothing to compare.</summary>
    [Fact]
    public void AWorkloadOneSideRanShowsItsRateAlone()
    {
        var w3 = Workload.W3.FlopsPerStep / 1e9;
        var oneThread = Round(1, 100 * w3, new Dictionary<string, (double, double)> { ["W3"] = (30, 86) });
        var ourW2 = new HomogenousDsl.Benchmarks.Timing.QuickReport(oneThread.Ours.Meta,
            [.. oneThread.Ours.Results, Round(1, 1, new Dictionary<string, (double, double)> { ["W2"] = (1, 2_000) }).Ours.Results[0]]);
        ThreadSection[] sections =
        [
            new("1 thread", [oneThread with { Ours = ourW2 }]),
            new("All threads (2)", [Round(2, 200 * w3, new Dictionary<string, (double, double)> { ["W3"] = (50, 130) })]),
        ];
        var markdown = PerformanceReport.Render(sections, "Test CPU", When);
        Assert.Contains("| W2 MLP 784-256-256-1, b64 | not run | | 2,000 | | | | | | ≥ 80% of peak | — |", markdown);
    }

    /// <summary>Hand-off times appear per round where our all-thread runs measured them, and not otherwise.</summary>
    [Fact]
    public void HandoffTimesAreShownPerRoundWhereMeasured()
    {
        var w3 = Workload.W3.FlopsPerStep / 1e9;
        static ComparisonRound WithHandoffs(ComparisonRound round, double? before, double? after) => round with
        {
            Ours = round.Ours with { Results = round.Ours.Results.Select(w => w with { HandoffNsBefore = before, HandoffNsAfter = after }).ToArray() },
        };
        ThreadSection[] sections =
        [
            new("1 thread", [Round(1, 100 * w3, new Dictionary<string, (double, double)> { ["W3"] = (30, 86) })]),
            new("All threads (2)", [
                WithHandoffs(Round(2, 200 * w3, new Dictionary<string, (double, double)> { ["W3"] = (50, 130) }), 36.4, 171.2),
                WithHandoffs(Round(2, 200 * w3, new Dictionary<string, (double, double)> { ["W3"] = (50, 120) }), null, 38.6),
            ]),
        ];
        var markdown = PerformanceReport.Render(sections, "Test CPU", When);
        Assert.Contains("| workload | round 1 | round 2 |", markdown);
        Assert.Contains("| W3 | 36 / 171 | — / 39 |", markdown);
        Assert.Single(markdown.Split('\n'), line => line.StartsWith("| workload | round 1", StringComparison.Ordinal));
    }

    [Fact]
    public void OneRoundReadsAsASingleRun()
    {
        ThreadSection[] sections =
        [
            new("1 thread", [Round(1, 200, new Dictionary<string, (double, double)> { ["W1"] = (5_000, 300_000) })]),
            new("All threads (2)", [Round(2, 400, new Dictionary<string, (double, double)> { ["W1"] = (5_000, 290_000) })]),
        ];
        var markdown = PerformanceReport.Render(sections, "Test CPU", When);
        Assert.Contains("taken in one run", markdown);
        Assert.DoesNotContain("rounds", markdown);
        Assert.Contains("| 60.00× |", markdown);
        Assert.Contains("| 58.00× |", markdown);
    }

    /// <summary>
    /// Rounds that also ran the peer with AVX-512 BLAS forced add a table of its rates and our ratio to them (medians of
    /// each round's ratio); workloads it did not run are left out of that table; a note goes into the header.
    /// </summary>
    [Fact]
    public void TheTunedPeerGetsItsOwnTable()
    {
        static ComparisonRound WithTuned(int threads, double peak, double peer, double ours, double tuned)
        {
            var round = Round(threads, peak, new Dictionary<string, (double, double)> { ["W3"] = (peer, ours), ["W1"] = (5_000, 300_000) });
            var w3Only = Round(threads, peak, new Dictionary<string, (double, double)> { ["W3"] = (tuned, ours) }).Peer;
            return round with { PeerTuned = w3Only };
        }
        ThreadSection[] sections =
        [
            new("1 thread", [WithTuned(1, 200, 30, 60, 40), WithTuned(1, 200, 30, 66, 60), WithTuned(1, 200, 30, 63, 50)]),
            new("All threads (2)", [Round(2, 400, new Dictionary<string, (double, double)> { ["W3"] = (50, 120) })]),
        ];
        var markdown = PerformanceReport.Render(sections, "Test CPU", When, note: "Both sides restricted.");
        Assert.Contains("Both sides restricted.", markdown);
        // Per-round ratios 1.5, 1.1, 1.26: median 1.26; the tuned peer's median rate 50.
        Assert.Contains("| W3 MLP 784-1024-1024-1, b256 | 50.0 | 1.26× |", markdown);
        Assert.Contains($"`OPENBLAS_CORETYPE={PerformanceReport.TunedCoreType}`", markdown);
        Assert.DoesNotContain("| W1 MLP 2-100-1, b16 | 5,000 | 60.00× |", markdown);
        // Only the one-thread section ran it.
        Assert.Single(markdown.Split("PyTorch, AVX-512 BLAS, steps/s").Skip(1));
    }
}
