namespace HomogenousDsl.Benchmarks.Timing;

/// <summary>Rates of the timed windows (steps per second), as the peer's <c>timed_windows</c> returns them.</summary>
/// <param name="StepsPerWindow">Steps in every window.</param>
/// <param name="Median">The median window rate (the upper median for an even count, as the peer's rates[n // 2]).</param>
/// <param name="Min">The slowest window.</param>
/// <param name="Max">The fastest window.</param>
/// <param name="AllocatedBytesPerStep">Managed bytes allocated on all threads during the windows, per step (must be 0).</param>
public readonly record struct WindowStats(long StepsPerWindow, double Median, double Min, double Max, double AllocatedBytesPerStep);
