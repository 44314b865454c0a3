using System.Diagnostics;
using HomogenousDsl.Benchmarks.Timing;

namespace HomogenousDsl.Benchmarks.Peak;

/// <summary>GFLOP/s of <see cref="FmaKernel"/> on one or more threads.</summary>
/// <param name="Threads">Threads that ran the kernel at once.</param>
/// <param name="Gflops">The peak: the fastest window, the ceiling the workloads are compared with.</param>
/// <param name="Median">The median window.</param>
/// <param name="Min">The slowest window.</param>
/// <param name="VectorBits">Register width used.</param>
/// <param name="Chains">Independent FMA chains per thread.</param>
public sealed record PeakResult(int Threads, double Gflops, double Median, double Min, int VectorBits, int Chains);

/// <summary>
/// Measures the FMA peak: every thread runs the same number of kernel iterations after a common start; a window's
/// rate is all their FLOPs over the time from the first start to the last finish. Threads are not pinned, like the
/// workloads' threads.
/// </summary>
public static class FmaPeakProbe
{
    private static float s_sink;

    /// <summary>Measures with <paramref name="threads"/> threads: warm-up, then windows as in <see cref="TimedWindows"/>.</summary>
    public static PeakResult Measure(int threads, WindowOptions options)
    {
        // Warm up and calibrate on one thread: how many iterations fill a window. The kernel is compiled fully
        // optimized up front, so the warm-up only lets clocks settle.
        const long chunk = 1_000_000;
        var start = Stopwatch.GetTimestamp();
        long done = 0;
        do
        {
            s_sink += FmaKernel.Run(chunk);
            done += chunk;
        }
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < options.WarmupSeconds);
        var iterations = Math.Max(chunk, (long)(done * options.WindowSeconds / Stopwatch.GetElapsedTime(start).TotalSeconds));

        var rates = new double[options.Windows];
        for (var w = 0; w < rates.Length; w++)
            rates[w] = threads * FmaKernel.Flops(iterations) / RunWindow(threads, iterations) / 1e9;
        Array.Sort(rates);
        return new PeakResult(threads, rates[^1], rates[rates.Length / 2], rates[0], FmaKernel.Lanes * 32, FmaKernel.Chains);
    }

    // Seconds from the first thread's start to the last thread's finish.
    private static double RunWindow(int threads, long iterations)
    {
        var starts = new long[threads];
        var stops = new long[threads];
        var results = new float[threads];
        using var ready = new Barrier(threads);
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var index = t;
            workers[t] = new Thread(() =>
            {
                ready.SignalAndWait();
                starts[index] = Stopwatch.GetTimestamp();
                results[index] = FmaKernel.Run(iterations);
                stops[index] = Stopwatch.GetTimestamp();
            }) { IsBackground = true, Name = $"fma-peak-{index}" };
            workers[t].Start();
        }
        foreach (var worker in workers)
            worker.Join();
        foreach (var r in results)
            s_sink += r;
        return Stopwatch.GetElapsedTime(starts.Min(), stops.Max()).TotalSeconds;
    }
}

/// <summary>The probe's output file: one result per thread count.</summary>
public sealed record PeakReport(string Runtime, IReadOnlyList<PeakResult> Results);
