using HomogenousDsl.Benchmarks.Peak;
using HomogenousDsl.Benchmarks.Timing;

namespace HomogenousDsl.Benchmarks.Report;

/// <summary>
/// One round of the comparison at one thread count: the peer's run, ours right after it, and the FMA peak measured
/// just before both, so the ratio and the fraction of peak each compare figures taken minutes apart at most.
/// </summary>
/// <param name="Peer">The peer script's run.</param>
/// <param name="Ours">Our quick run.</param>
/// <param name="Peak">The FMA peak with the same thread count, from the same round.</param>
/// <param name="PeerTuned">
/// The peer again with OpenBLAS's AVX-512 kernels forced, where the installed OpenBLAS does not pick them on an AVX-512
/// machine by itself (null when not run).
/// </param>
public sealed record ComparisonRound(PeerRun Peer, QuickReport Ours, PeakResult Peak, PeerRun? PeerTuned = null);
