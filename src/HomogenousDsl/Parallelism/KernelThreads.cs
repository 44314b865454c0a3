namespace HomogenousDsl.Parallelism;

/// <summary>
/// Lends a worker pool to the kernels called on this thread, so that each large kernel shares its work out (dense
/// products by feature, convolutions and pooling by sample) when a batch is too small to split by sample (per-thread
/// batches would each pack every weight matrix and leave a whole gradient per thread to sum).
/// Thread-static: worker threads see no pool, so splits never nest.
/// </summary>
public static class KernelThreads
{
    [ThreadStatic] private static WorkerPool? t_pool;

    /// <summary>The pool lent to this thread's kernels, if any.</summary>
    public static WorkerPool? Current => t_pool;

    /// <summary>Lends <paramref name="pool"/> to kernels called on this thread until the scope ends.</summary>
    public static Scope Lend(WorkerPool? pool)
    {
        var previous = t_pool;
        t_pool = pool is { Threads: > 1 } ? pool : null;
        return new Scope(previous);
    }

    /// <summary>Takes the pool back while a split runs, so the calling thread's share does not split again.</summary>
    public static Scope Suspend() => Lend(null);

    /// <summary>Restores the previous lending when disposed.</summary>
    public readonly struct Scope(WorkerPool? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_pool = previous;
    }
}
