using System.Globalization;
using System.Text;
using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Timing;
using HomogenousDsl.Benchmarks.Workloads;

namespace HomogenousDsl.Benchmarks.Report;

/// <summary>One thread count's measurements: a comparison round or several.</summary>
/// <param name="Title">The section title, e.g. "1 thread".</param>
/// <param name="Rounds">The rounds, in the order they ran.</param>
public sealed record ThreadSection(string Title, IReadOnlyList<ComparisonRound> Rounds)
{
    /// <summary>The first round (meta data common to all).</summary>
    public ComparisonRound First => Rounds[0];
}

/// <summary>
/// Writes docs/performance.md: per thread count, each workload's PyTorch and our rate, their ratio, our GFLOP/s as a
/// fraction of the FMA peak measured in the same round, and whether DESIGN.md §6's target is met. Several rounds (peak,
/// peer, ours, repeated) give medians of the per-round ratios and fractions (see <see cref="WorkloadSummary"/>).
/// </summary>
public static class PerformanceReport
{
    /// <summary>The whole markdown document.</summary>
    /// <param name="sections">Per thread count, its rounds.</param>
    /// <param name="machine">The CPU model.</param>
    /// <param name="when">When the run ended.</param>
    /// <param name="note">A paragraph for the header (how the run restricted the instruction set, say), or null.</param>
    public static string Render(IReadOnlyList<ThreadSection> sections, string machine, DateTimeOffset when, string? note = null)
    {
        var md = new StringBuilder();
        var first = sections[0].First;
        var rounds = sections[0].Rounds.Count;
        md.AppendLine("# Performance against PyTorch");
        md.AppendLine();
        md.AppendLine(Invariant($"Measured {when.UtcDateTime:yyyy-MM-dd HH:mm} UTC on **{machine}** ({first.Ours.Meta.ProcessorCount} cores) by `bench/run-peer-comparison.sh`."));
        md.AppendLine(Invariant($"Ours: {first.Ours.Meta.Runtime}, {first.Ours.Meta.Simd}. Peer: PyTorch {first.Peer.MetaText("torch")} (`../shared/bench/peer_torch.py`), BLAS {first.Peer.Blas}."));
        md.AppendLine(Invariant($"Loss {first.Ours.Meta.Loss}, constant step {first.Ours.Meta.Lr:G}; images: {first.Ours.Meta.Data} ({first.Ours.Meta.N:N0} samples)."));
        if (!string.IsNullOrWhiteSpace(note))
        {
            md.AppendLine();
            md.AppendLine(note.Trim());
        }
        md.AppendLine();
        md.AppendLine(rounds == 1
            ? "Every figure is the median of timed windows taken in one run on one machine; absolute rates drift between runs, ratios to PyTorch and fractions of the peak measured alongside are what to compare."
            : Invariant($"The comparison ran in {rounds} rounds, each measuring the FMA peak, PyTorch and ours in turn, so that a slow spell of the host falls on both sides of a ratio. Rates are medians over the rounds of each round's median window; ratios to PyTorch and fractions of the peak are taken within each round and their medians reported. Absolute rates drift between runs; ratios and fractions are what to compare."));
        foreach (var section in sections)
            RenderSection(md, section);
        md.AppendLine();
        md.AppendLine("Where a target is missed, `docs/performance-analysis.md` says by how much, what limits it (with profiles) and what has been tried.");
        RenderMethod(md, first, rounds);
        return md.ToString();
    }

    private static void RenderSection(StringBuilder md, ThreadSection section)
    {
        var first = section.First;
        var threads = first.Peak.Threads;
        md.AppendLine();
        md.AppendLine(Invariant($"## {section.Title}"));
        md.AppendLine();
        md.AppendLine(section.Rounds.Count == 1
            ? Invariant($"FMA peak, {threads} thread{(threads == 1 ? "" : "s")}: **{first.Peak.Gflops:F1} GFLOP/s** (fastest of the windows; median {first.Peak.Median:F1}). PyTorch threads: {first.Peer.MetaText("threads")}; ours: {first.Ours.Meta.Threads}.")
            : Invariant($"FMA peak, {threads} thread{(threads == 1 ? "" : "s")}, per round: **{string.Join(", ", section.Rounds.Select(r => r.Peak.Gflops.ToString("F1", CultureInfo.InvariantCulture)))} GFLOP/s** (fastest window of each). PyTorch threads: {first.Peer.MetaText("threads")}; ours: {first.Ours.Meta.Threads}."));
        md.AppendLine();
        md.AppendLine("| workload | PyTorch steps/s | PyTorch GFLOP/s | ours steps/s | our windows, slowest–fastest | ours / PyTorch | our GFLOP/s | of FMA peak | allocated B/step | target | met |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        var summaries = PerformanceTarget.Design
            .Select(t => (Target: t, Workload: Workload.Parse(t.Workload)))
            .Select(t => (t.Target, t.Workload, Summary: WorkloadSummary.Of(t.Workload, section.Rounds)))
            .ToArray();
        foreach (var (target, workload, summary) in summaries)
        {
            if (summary is null)
            {
                // One side ran alone: its rate (median over the rounds that have it), nothing to compare.
                var peerRates = section.Rounds.Where(r => r.Peer.Rates.ContainsKey(workload.PeerConfig)).Select(r => r.Peer.Rates[workload.PeerConfig]).ToArray();
                var ourRates = section.Rounds.SelectMany(r => r.Ours.Results.Where(w => w.Workload == workload.Id)).Select(w => w.Median).ToArray();
                md.AppendLine(Invariant($"| {workload.Id} {workload.Title} | {MedianRateOrNotRun(peerRates)} | | {MedianRateOrNotRun(ourRates)} | | | | | | {target.Text} | — |"));
                continue;
            }
            var fraction = Invariant($"{summary.FractionOfPeak * 100:F0}%");
            if (summary.Rounds > 1)
                fraction += Invariant($" ({summary.FractionRange.Low * 100:F0}–{summary.FractionRange.High * 100:F0}%)");
            md.AppendLine(Invariant($"| {workload.Id} {workload.Title} | {Rate(summary.PeerRate)} | {summary.PeerGflops:F2} | {Rate(summary.OursRate)} | {Rate(summary.OursSlowestWindow)}–{Rate(summary.OursFastestWindow)} | {summary.Ratio:F2}× | {summary.OursGflops:F2} | {fraction} | {summary.AllocatedBytesPerStep:0.#} | {target.Text} | {(target.IsMet(summary.Ratio, summary.FractionOfPeak) ? "yes" : "**no**")} |"));
        }
        RenderTunedPeer(md, section, summaries.Where(s => s.Summary?.Tuned is not null).Select(s => (s.Workload, s.Summary!)).ToArray());
        RenderHandoffs(md, section);
        md.AppendLine();
        md.AppendLine("W5's rates are evaluations per second.");
        var leanW1 = LeanRate(section, "d2");
        var leanW2 = LeanRate(section, "a2");
        if (leanW1 > 0 || leanW2 > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"PyTorch's leanest eager step (peer configs d2/a2: contiguous batches, autograd.grad, fused update) reaches {(leanW1 > 0 ? Rate(leanW1) : "—")} steps/s on W1 and {(leanW2 > 0 ? Rate(leanW2) : "—")} on W2; the table compares with its standard step (torch.optim.SGD, as users write it)."));
        }
    }

    // The peer with OpenBLAS's AVX-512 kernels forced, where the rounds ran it: what a user who tunes PyTorch would get.
    private static void RenderTunedPeer(StringBuilder md, ThreadSection section, (Workload Workload, WorkloadSummary Summary)[] tuned)
    {
        if (tuned.Length == 0)
            return;
        md.AppendLine();
        md.AppendLine(Invariant($"The installed OpenBLAS ({section.First.Peer.Blas}) does not recognize this CPU and runs its AVX2 kernels; with its AVX-512 kernels forced (`OPENBLAS_CORETYPE={TunedCoreType}`, measured alongside) PyTorch reaches:"));
        md.AppendLine();
        md.AppendLine("| workload | PyTorch, AVX-512 BLAS, steps/s | ours / it |");
        md.AppendLine("|---|---:|---:|");
        foreach (var (workload, summary) in tuned)
            md.AppendLine(Invariant($"| {workload.Id} {workload.Title} | {Rate(summary.Tuned!.Value.Rate)} | {summary.Tuned.Value.Ratio:F2}× |"));
    }

    // Where several threads ran: how long a cache line took between the cores around each of our runs, per round, so
    // a reader can tell the rounds whose cores sat far apart (a split step hands lines over many times a step).
    private static void RenderHandoffs(StringBuilder md, ThreadSection section)
    {
        var measured = section.Rounds
            .SelectMany(r => r.Ours.Results)
            .Where(w => w.HandoffNsBefore is not null || w.HandoffNsAfter is not null)
            .Select(w => w.Workload)
            .Distinct()
            .ToArray();
        if (measured.Length == 0)
            return;
        md.AppendLine();
        md.AppendLine("How long one cache line took from one core to the other (`HandoffProbe`, nanoseconds), just before and just after each of our runs, per round:");
        md.AppendLine();
        md.AppendLine("| workload | " + string.Join(" | ", section.Rounds.Select((_, i) => Invariant($"round {i + 1}"))) + " |");
        md.AppendLine("|---|" + string.Concat(section.Rounds.Select(_ => "---:|")));
        foreach (var id in measured)
        {
            var cells = section.Rounds.Select(r => r.Ours.Results.FirstOrDefault(w => w.Workload == id) is { } w
                ? Invariant($"{Nanoseconds(w.HandoffNsBefore)} / {Nanoseconds(w.HandoffNsAfter)}")
                : "—");
            md.AppendLine($"| {id} | {string.Join(" | ", cells)} |");
        }
    }

    private static string Nanoseconds(double? value) => value is { } ns ? Invariant($"{ns:F0}") : "—";

    /// <summary>The OpenBLAS core type the comparison script forces for the tuned peer.</summary>
    public const string TunedCoreType = "SkylakeX";

    private static void RenderMethod(StringBuilder md, ComparisonRound first, int rounds)
    {
        var meta = first.Ours.Meta;
        md.AppendLine();
        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine("- Workloads as in DESIGN.md §6; W1 on 1,000 synthetic separable 2-D points, W2–W5 on Fashion-MNIST classes 0 vs 1. Both sides start from He-style random weights and train bias-free ReLU networks.");
        md.AppendLine("- A step is batch sampling + forward + loss + subgradient + constant-step SGD update: `Trainer<T>.TrainStep()` here, `torch.optim.SGD` with `loss.backward()` in the peer. W5 is one forward pass over all samples plus min_i q_i / ‖θ‖^L.");
        md.AppendLine(Invariant($"- Timing, the peer's method on both sides: {meta.WarmupS:G} s warm-up whose pace sizes the windows (ours also runs at least {TimedWindows.MinimumWarmupSteps} warm-up steps, so the JIT has optimized the step), then {meta.Windows} windows of about {meta.WindowS:G} s; a round's figure is its median window's rate; the slowest and fastest of our windows{(rounds > 1 ? " (over all rounds)" : "")} are in the table (a wide range means the machine was not quiet)."));
        if (rounds > 1)
            md.AppendLine(Invariant($"- {rounds} rounds, one after the other; in each, per thread count: the FMA peak, then PyTorch, then ours. \"of FMA peak\" is the median of the rounds' fractions, with the lowest and highest in brackets."));
        md.AppendLine("- GFLOP/s use the peer script's FLOP count for both sides: matrix products only (2 per multiply-add) for forward, weight gradient and input gradient except the first layer's; W5 counts the forward pass.");
        md.AppendLine("- FMA peak: independent Vector512 (else Vector256) FMA chains per thread, no memory traffic, fastest of the windows; \"of FMA peak\" divides our GFLOP/s by the peak with the same thread count (and round).");
        md.AppendLine("- Hand-off: with several threads, before and after each workload, the caller and a helper thread bounce a counter 20,000 times in each of 5 bursts; the median burst's time per bounce is the time one cache line takes between two cores.");
        md.AppendLine("- Raw data: the JSON files the script leaves in `artifacts/peer-comparison/` (not committed).");
    }

    private static string MedianRateOrNotRun(double[] rates) => rates.Length == 0 ? "not run" : Rate(WorkloadSummary.Median(rates));

    // The peer's leanest-step configurations, median over the rounds that ran them (0 when none did).
    private static double LeanRate(ThreadSection section, string config)
    {
        var rates = section.Rounds.Select(r => r.Peer.Rates.GetValueOrDefault(config)).Where(r => r > 0).ToArray();
        return rates.Length == 0 ? 0 : WorkloadSummary.Median(rates);
    }

    private static string Rate(double rate) => rate switch
    {
        >= 100 => Invariant($"{rate:N0}"),
        >= 10 => Invariant($"{rate:F1}"),
        _ => Invariant($"{rate:F2}"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
