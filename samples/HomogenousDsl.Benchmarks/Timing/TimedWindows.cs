using System.Diagnostics;
using HomogenousDsl.Benchmarks.Workloads;

namespace HomogenousDsl.Benchmarks.Timing;

/// <summary>
/// The peer's <c>timed_windows</c> in C#: warm up for a while (which also lets tiered JIT reach its optimized code),
/// size a window from the warm-up pace, time several windows of that many steps, report the median rate. The same
/// method on both sides, so the figures differ only in the code being timed.
/// </summary>
public static class TimedWindows
{
    /// <summary>
    /// Warm-up runs at least this many steps however long they take: the runtime recompiles a method with full
    /// optimization after 30 calls, and a slow workload (W4 at ~15 steps/s) would otherwise be timed partly in its
    /// first-tier code. PyTorch has no JIT, so this only removes a handicap of ours.
    /// </summary>
    public const int MinimumWarmupSteps = 30;

    /// <summary>Times <paramref name="runner"/>'s steps.</summary>
    public static WindowStats Measure(IWorkloadRunner runner, WindowOptions options)
    {
        var start = Stopwatch.GetTimestamp();
        long warmupSteps = 0;
        while (warmupSteps < MinimumWarmupSteps || Stopwatch.GetElapsedTime(start).TotalSeconds < options.WarmupSeconds)
        {
            runner.Step();
            warmupSteps++;
        }
        var secondsPerStep = Stopwatch.GetElapsedTime(start).TotalSeconds / warmupSteps;
        var steps = Math.Max(1, (long)(options.WindowSeconds / secondsPerStep));

        var rates = new double[options.Windows];
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var w = 0; w < rates.Length; w++)
        {
            var windowStart = Stopwatch.GetTimestamp();
            for (long i = 0; i < steps; i++)
                runner.Step();
            rates[w] = steps / Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(rates);
        return new WindowStats(steps, rates[rates.Length / 2], rates[0], rates[^1], (double)allocated / (steps * options.Windows));
    }
}
