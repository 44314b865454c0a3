using System.Diagnostics;

namespace HomogenousDsl.Benchmarks.Peak;

/// <summary>
/// How long one cache line takes to go from one core to another: two threads bounce a counter, each writing it only
/// after it has seen the other's write, and a bounce is one hand-off. A split training step hands its activations,
/// adjoints and weights between the cores every step, so its pace follows this figure; a virtual machine's cores can
/// move between placements where it differs several times over (on the Zen 4 host of 2026-12-05: about 40 ns or about 170 ns),
/// which the FMA probe, using no memory, cannot see.
/// </summary>
public static class HandoffProbe
{
    private const int BouncesPerBurst = 20_000;
    private const int Bursts = 5;
    // A burst normally takes milliseconds; a helper that cannot run (more threads than cores) must not hang the run.
    private static readonly long s_burstLimit = Stopwatch.Frequency;

    /// <summary>
    /// The median over a few bursts of the nanoseconds one hand-off takes between the calling thread and a helper
    /// thread, or null when the machine has one core or the helper did not keep up.
    /// </summary>
    public static double? MeasureNanoseconds()
    {
        if (Environment.ProcessorCount < 2)
            return null;
        // The counter sits 128 bytes into its array, alone on its line and away from the array's header.
        var line = new long[32];
        const int slot = 16;
        var failed = false;
        var helper = new Thread(() =>
        {
            for (var burst = 0; burst < Bursts && !Volatile.Read(ref failed); burst++)
                for (long next = 1 + burst * 2L * BouncesPerBurst; next < (burst + 1) * 2L * BouncesPerBurst; next += 2)
                {
                    if (!WaitFor(ref line[slot], next, ref failed))
                        return;
                    Volatile.Write(ref line[slot], next + 1);
                }
        }) { IsBackground = true, Name = "handoff-probe" };
        helper.Start();

        var results = new double[Bursts];
        for (var burst = 0; burst < Bursts; burst++)
        {
            var start = Stopwatch.GetTimestamp();
            for (long next = burst * 2L * BouncesPerBurst; next < (burst + 1) * 2L * BouncesPerBurst; next += 2)
            {
                Volatile.Write(ref line[slot], next + 1);
                if (!WaitFor(ref line[slot], next + 2, ref failed))
                {
                    helper.Join();
                    return null;
                }
            }
            results[burst] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / (2.0 * BouncesPerBurst);
        }
        helper.Join();
        Array.Sort(results);
        return results[Bursts / 2];
    }

    // Spins until the counter reaches the value; false (and the flag set for the other side) past the time limit.
    private static bool WaitFor(ref long counter, long value, ref bool failed)
    {
        var spins = 0;
        var deadline = 0L;
        while (Volatile.Read(ref counter) < value)
        {
            if ((++spins & 0xFFF) != 0)
                continue;
            var now = Stopwatch.GetTimestamp();
            if (deadline == 0)
                deadline = now + s_burstLimit;
            else if (now > deadline || Volatile.Read(ref failed))
            {
                Volatile.Write(ref failed, true);
                return false;
            }
        }
        return true;
    }
}
