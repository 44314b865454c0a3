namespace HomogenousDsl.Benchmarks.Timing;

/// <summary>The peer's timing parameters (<c>--warmup-s</c>, <c>--windows</c>, <c>--window-s</c>), same defaults.</summary>
/// <param name="WarmupSeconds">Untimed steps for this long first; their pace sets the steps per window.</param>
/// <param name="Windows">Timed windows; the median rate is the figure.</param>
/// <param name="WindowSeconds">Target length of one window.</param>
public sealed record WindowOptions(double WarmupSeconds = 1.0, int Windows = 7, double WindowSeconds = 1.0);
