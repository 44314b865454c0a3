namespace HomogenousDsl.Training;

/// <summary>How a block of samples is spread over threads, by size.</summary>
internal static class ParallelPlan
{
    /// <summary>Below this much forward work per block, one thread is faster than waking others (a dispatch costs microseconds).</summary>
    public const long MinimumFlops = 4_000_000;

    /// <summary>
    /// Per-thread batches smaller than this would each pack whole weight matrices for little arithmetic; such blocks
    /// run on one thread and split each large matrix product across threads instead (<see cref="Parallelism.KernelThreads"/>).
    /// Settable so tests can force either plan.
    /// </summary>
    public static int MinimumSamplesPerShard { get; set; } = 128;
}
