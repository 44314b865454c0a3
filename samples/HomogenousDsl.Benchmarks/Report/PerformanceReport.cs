using System.Globalization;
using System.Text;
using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Timing;
using HomogenousDsl.Benchmarks.Workloads;

namespace HomogenousDsl.Benchmarks.Report;

/// <summary>One thread count's measurements: the peer's, ours and the FMA peak with as many threads.</summary>
/// <param name="Title">The section title, e.g. "1 thread".</param>
/// <param name="Peer">The peer script's run.</param>
/// <param name="Ours">Our quick run.</param>
/// <param name="Peak">The FMA peak with the same thread count.</param>
public sealed record ThreadSection(string Title, PeerRun Peer, QuickReport Ours, PeakResult Peak);

/// <summary>
/// Writes docs/performance.md: per thread count, each workload's PyTorch and our rate, their ratio, our GFLOP/s as a
/// fraction of the FMA peak measured in the same run, and whether DESIGN.md §6's target is met.
/// </summary>
public static class PerformanceReport
{
    /// <summary>The whole markdown document.</summary>
    public static string Render(IReadOnlyList<ThreadSection> sections, string machine, DateTimeOffset when)
    {
        var md = new StringBuilder();
        var first = sections[0];
        md.AppendLine("# Performance against PyTorch");
        md.AppendLine();
        md.AppendLine(Invariant($"Measured {when.UtcDateTime:yyyy-MM-dd HH:mm} UTC on **{machine}** ({first.Ours.Meta.ProcessorCount} cores) by `bench/run-peer-comparison.sh`."));
        md.AppendLine(Invariant($"Ours: {first.Ours.Meta.Runtime}, {first.Ours.Meta.Simd}. Peer: PyTorch {first.Peer.MetaText("torch")} (`../shared/bench/peer_torch.py`), BLAS {first.Peer.Blas}."));
        md.AppendLine(Invariant($"Loss {first.Ours.Meta.Loss}, constant step {first.Ours.Meta.Lr:G}; images: {first.Ours.Meta.Data} ({first.Ours.Meta.N:N0} samples)."));
        md.AppendLine();
        md.AppendLine("Every figure is the median of timed windows taken in one run on one machine; absolute rates drift between runs, ratios to PyTorch and fractions of the peak measured alongside are what to compare.");
        foreach (var section in sections)
            RenderSection(md, section);
        md.AppendLine();
        md.AppendLine("Where a target is missed, `docs/performance-analysis.md` says by how much, what limits it (with profiles) and what has been tried.");
        RenderMethod(md, first);
        return md.ToString();
    }

    private static void RenderSection(StringBuilder md, ThreadSection section)
    {
        md.AppendLine();
        md.AppendLine(Invariant($"## {section.Title}"));
        md.AppendLine();
        md.AppendLine(Invariant($"FMA peak, {section.Peak.Threads} thread{(section.Peak.Threads == 1 ? "" : "s")}: **{section.Peak.Gflops:F1} GFLOP/s** (fastest of the windows; median {section.Peak.Median:F1}). PyTorch threads: {section.Peer.MetaText("threads")}; ours: {section.Ours.Meta.Threads}."));
        md.AppendLine();
        md.AppendLine("| workload | PyTorch steps/s | PyTorch GFLOP/s | ours steps/s | our windows, slowest–fastest | ours / PyTorch | our GFLOP/s | of FMA peak | allocated B/step | target | met |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var target in PerformanceTarget.Design)
        {
            var workload = Workload.Parse(target.Workload);
            var ours = section.Ours.Results.FirstOrDefault(r => r.Workload == workload.Id);
            var hasPeer = section.Peer.Rates.TryGetValue(workload.PeerConfig, out var peerRate);
            if (ours is null || !hasPeer)
            {
                md.AppendLine(Invariant($"| {workload.Id} {workload.Title} | {(hasPeer ? Rate(peerRate) : "not run")} | | {(ours is null ? "not run" : Rate(ours.Median))} | | | | | | {target.Text} | — |"));
                continue;
            }
            var peerGflops = peerRate * PeerFlops(workload, section.Peer) / 1e9;
            var ratio = ours.Median / peerRate;
            var fraction = ours.Gflops / section.Peak.Gflops;
            md.AppendLine(Invariant($"| {workload.Id} {workload.Title} | {Rate(peerRate)} | {peerGflops:F2} | {Rate(ours.Median)} | {Rate(ours.Min)}–{Rate(ours.Max)} | {ratio:F2}× | {ours.Gflops:F2} | {fraction * 100:F0}% | {ours.AllocatedBytesPerStep:0.#} | {target.Text} | {(target.IsMet(ratio, fraction) ? "yes" : "**no**")} |"));
        }
        md.AppendLine();
        md.AppendLine("W5's rates are evaluations per second.");
        var leanW1 = section.Peer.Rates.GetValueOrDefault("d2");
        var leanW2 = section.Peer.Rates.GetValueOrDefault("a2");
        if (leanW1 > 0 || leanW2 > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"PyTorch's leanest eager step (peer configs d2/a2: contiguous batches, autograd.grad, fused update) reaches {(leanW1 > 0 ? Rate(leanW1) : "—")} steps/s on W1 and {(leanW2 > 0 ? Rate(leanW2) : "—")} on W2; the table compares with its standard step (torch.optim.SGD, as users write it)."));
        }
    }

    private static void RenderMethod(StringBuilder md, ThreadSection first)
    {
        var meta = first.Ours.Meta;
        md.AppendLine();
        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine("- Workloads as in DESIGN.md §6; W1 on 1,000 synthetic separable 2-D points, W2–W5 on Fashion-MNIST classes 0 vs 1. Both sides start from He-style random weights and train bias-free ReLU networks.");
        md.AppendLine("- A step is batch sampling + forward + loss + subgradient + constant-step SGD update: `Trainer<T>.TrainStep()` here, `torch.optim.SGD` with `loss.backward()` in the peer. W5 is one forward pass over all samples plus min_i q_i / ‖θ‖^L.");
        md.AppendLine(Invariant($"- Timing, the peer's method on both sides: {meta.WarmupS:G} s warm-up whose pace sizes the windows (ours also runs at least {TimedWindows.MinimumWarmupSteps} warm-up steps, so the JIT has optimized the step), then {meta.Windows} windows of about {meta.WindowS:G} s; the figure is the median window's rate; the slowest and fastest of our windows are in the table (a wide range means the machine was not quiet)."));
        md.AppendLine("- GFLOP/s use the peer script's FLOP count for both sides: matrix products only (2 per multiply-add) for forward, weight gradient and input gradient except the first layer's; W5 counts the forward pass.");
        md.AppendLine("- FMA peak: independent Vector512 (else Vector256) FMA chains per thread, no memory traffic, fastest of the windows; \"of FMA peak\" divides our GFLOP/s by the peak with the same thread count.");
        md.AppendLine("- Raw data: the JSON files the script leaves in `artifacts/peer-comparison/` (not committed).");
    }

    // The peer's FLOPs per step; for W5 its evaluation covers its own N samples.
    private static double PeerFlops(Workload workload, PeerRun peer) =>
        workload.Kind == WorkloadKind.MarginEvaluation
            ? FlopCount.MlpForward([784, 256, 256, 1], peer.Samples)
            : workload.FlopsPerStep;

    private static string Rate(double rate) => rate switch
    {
        >= 100 => Invariant($"{rate:N0}"),
        >= 10 => Invariant($"{rate:F1}"),
        _ => Invariant($"{rate:F2}"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
