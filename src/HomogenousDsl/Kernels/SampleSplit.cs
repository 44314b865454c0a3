using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Runs a layer kernel whose samples are independent over the worker pool that <see cref="KernelThreads"/> lends the
/// calling thread, each thread a contiguous range of the batch (the same ranges for every kernel of a step). Subclasses
/// hold the kernel's arguments as pointers, are reused per thread and so allocate nothing.
/// </summary>
internal abstract class SampleSplit : IShardWork
{
    // Below this much work a second thread costs more than it saves (a dispatch is a few microseconds).
    private const long MinimumWork = 1L << 20;

    private int _batch, _shards;

    /// <summary>
    /// The threads a batch of <paramref name="batch"/> samples of <paramref name="workPerSample"/> multiply-adds (or
    /// elements) each would be split over; fewer than 2 means it runs here alone.
    /// </summary>
    public static int Shards(int batch, long workPerSample)
    {
        var pool = KernelThreads.Current;
        if (pool is null || batch < 2 || batch * workPerSample < MinimumWork)
            return 1;
        return Math.Min(pool.Threads, batch);
    }

    /// <summary>Runs <see cref="Run"/> on every share of the batch and returns when all are done.</summary>
    protected void Execute(int batch, int shards)
    {
        var pool = KernelThreads.Current!;
        _batch = batch;
        _shards = shards;
        using (KernelThreads.Suspend())
            pool.Run(this, shards);
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        var (first, count) = WorkerPool.Share(_batch, shard, _shards);
        if (count > 0)
            Run(shard, first, count);
    }

    /// <summary>Runs the kernel on samples first … first + count − 1 (thread <paramref name="shard"/>).</summary>
    protected abstract void Run(int shard, int first, int count);
}
