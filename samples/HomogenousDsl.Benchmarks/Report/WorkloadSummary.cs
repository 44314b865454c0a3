using HomogenousDsl.Benchmarks.Workloads;

namespace HomogenousDsl.Benchmarks.Report;

/// <summary>
/// One workload's figures over the rounds of a comparison. A busy host slows whatever runs at the time, so the ratio to
/// PyTorch and the fraction of peak are taken within each round (figures measured minutes apart) and their medians
/// reported; rates are medians over the rounds of each round's median window.
/// </summary>
public sealed record WorkloadSummary
{
    /// <summary>Rounds in which both sides ran the workload.</summary>
    public required int Rounds { get; init; }

    /// <summary>The peer's rate (steps/s, or evaluations/s for W5): the median over rounds.</summary>
    public required double PeerRate { get; init; }

    /// <summary>The peer's GFLOP/s at <see cref="PeerRate"/>.</summary>
    public required double PeerGflops { get; init; }

    /// <summary>Our rate: the median over rounds.</summary>
    public required double OursRate { get; init; }

    /// <summary>Our slowest window in any round.</summary>
    public required double OursSlowestWindow { get; init; }

    /// <summary>Our fastest window in any round.</summary>
    public required double OursFastestWindow { get; init; }

    /// <summary>Our GFLOP/s: the median over rounds.</summary>
    public required double OursGflops { get; init; }

    /// <summary>Ours over the peer's rate, per round; the median.</summary>
    public required double Ratio { get; init; }

    /// <summary>Our GFLOP/s over the round's FMA peak, per round; the median.</summary>
    public required double FractionOfPeak { get; init; }

    /// <summary>The lowest and highest per-round fraction of peak.</summary>
    public required (double Low, double High) FractionRange { get; init; }

    /// <summary>The most bytes per step any round allocated.</summary>
    public required double AllocatedBytesPerStep { get; init; }

    /// <summary>
    /// The peer with AVX-512 BLAS kernels forced (<see cref="ComparisonRound.PeerTuned"/>): its rate and ours over it,
    /// medians over the rounds that ran it; null when none did.
    /// </summary>
    public (double Rate, double Ratio)? Tuned { get; init; }

    /// <summary>
    /// Summarizes <paramref name="workload"/> over <paramref name="rounds"/>; null when no round has it on both sides.
    /// </summary>
    public static WorkloadSummary? Of(Workload workload, IReadOnlyList<ComparisonRound> rounds)
    {
        var measured = rounds
            .Select(round => (Round: round, Ours: round.Ours.Results.FirstOrDefault(r => r.Workload == workload.Id),
                Peer: round.Peer.Rates.TryGetValue(workload.PeerConfig, out var rate) ? rate : (double?)null))
            .Where(m => m.Ours is not null && m.Peer is > 0)
            .Select(m => (m.Round, Ours: m.Ours!, Peer: m.Peer!.Value))
            .ToArray();
        if (measured.Length == 0)
            return null;
        var fractions = measured.Select(m => m.Ours.Gflops / m.Round.Peak.Gflops).ToArray();
        var peerRate = Median(measured.Select(m => m.Peer));
        var tuned = measured
            .Select(m => (m.Ours, Tuned: m.Round.PeerTuned?.Rates.GetValueOrDefault(workload.PeerConfig) ?? 0))
            .Where(m => m.Tuned > 0)
            .ToArray();
        return new WorkloadSummary
        {
            Rounds = measured.Length,
            PeerRate = peerRate,
            PeerGflops = peerRate * PeerFlops(workload, measured[0].Round.Peer) / 1e9,
            OursRate = Median(measured.Select(m => m.Ours.Median)),
            OursSlowestWindow = measured.Min(m => m.Ours.Min),
            OursFastestWindow = measured.Max(m => m.Ours.Max),
            OursGflops = Median(measured.Select(m => m.Ours.Gflops)),
            Ratio = Median(measured.Select(m => m.Ours.Median / m.Peer)),
            FractionOfPeak = Median(fractions),
            FractionRange = (fractions.Min(), fractions.Max()),
            AllocatedBytesPerStep = measured.Max(m => m.Ours.AllocatedBytesPerStep),
            Tuned = tuned.Length == 0 ? null : (Median(tuned.Select(t => t.Tuned)), Median(tuned.Select(t => t.Ours.Median / t.Tuned))),
        };
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            throw new ArgumentException("No values to take the median of.", nameof(values));
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // The peer's FLOPs per step; for W5 its evaluation covers its own N samples.
    private static double PeerFlops(Workload workload, PeerRun peer) =>
        workload.Kind == WorkloadKind.MarginEvaluation
            ? FlopCount.MlpForward([784, 256, 256, 1], peer.Samples)
            : workload.FlopsPerStep;
}
