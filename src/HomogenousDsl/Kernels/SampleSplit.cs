using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Runs a layer kernel whose samples are independent over the worker pool that <see cref="KernelThreads"/> lends the
/// calling thread, each thread a contiguous range of the batch. A kernel whose every sample comes out the same however
/// many samples share its call passes a pace key, and its batch is then cut in proportion to the threads' measured
/// paces on it (<see cref="SplitBalance"/>): the two cores of a shared host run apart, and an equal cut runs at the
/// slower one's pace. Anything summed over samples (a weight gradient) keeps the equal cut, <see cref="EvenShare"/>, so
/// the sum's order never depends on timing. Subclasses hold the kernel's arguments as pointers, are reused per
/// thread and so allocate nothing after their first call.
/// </summary>
internal abstract class SampleSplit : IShardWork
{
    // Below this much work a second thread costs more than it saves (a dispatch is a few microseconds).
    private const long MinimumWork = 1L << 20;

    [ThreadStatic] private static SplitBalance? t_balance;

    /// <summary>The shares learned for batches split from this thread (null before the first paced split).</summary>
    internal static SplitBalance? Balance => t_balance;

    private int _batch, _shards, _entry = -1;
    // A paced call's cut (shard s takes samples [_starts[s], _starts[s + 1])) and each shard's finishing time.
    private int[] _starts = [];
    private long[] _finished = [];

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

    /// <summary>
    /// A pace key naming one kernel (<paramref name="kind"/>, any nonzero constant per kernel) on one shape and batch.
    /// Keys that collide share a pace: balanced less precisely, never wrongly.
    /// </summary>
    protected static long PaceKey(int kind, long inputSize, long outputSize, int batch)
        => ((kind * 1_000_003L + inputSize) * 1_000_033 + outputSize) * 8_191 + batch;

    /// <summary>
    /// Runs <see cref="Run"/> on every share of the batch and returns when all are done: cut by the threads' paces when
    /// <paramref name="paceKey"/> is not 0, equally otherwise.
    /// </summary>
    protected void Execute(int batch, int shards, long paceKey = 0)
    {
        var pool = KernelThreads.Current!;
        _batch = batch;
        _shards = shards;
        _entry = -1;
        var balance = t_balance;
        if (paceKey != 0)
        {
            if (balance is null || balance.MaxShards < pool.Threads)
                t_balance = balance = new SplitBalance(pool.Threads);
            if (_starts.Length < pool.Threads + 1)
            {
                _starts = new int[pool.Threads + 1];
                _finished = new long[pool.Threads];
            }
            _entry = balance.Entry(paceKey, shards);
            balance.Cut(_entry, batch, shards, _starts);
        }
        var dispatched = SplitBalance.Now();
        using (KernelThreads.Suspend())
            pool.Run(this, shards);
        if (_entry < 0)
            return;
        Span<long> elapsed = stackalloc long[shards];
        for (var s = 0; s < shards; s++)
            elapsed[s] = _finished[s] - dispatched;
        balance!.Record(_entry, shards, _starts, elapsed);
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        var (first, count) = _entry < 0 ? EvenShare(shard) : (_starts[shard], _starts[shard + 1] - _starts[shard]);
        if (count > 0)
            Run(shard, first, count);
        if (_entry >= 0)
            _finished[shard] = SplitBalance.Now();
    }

    /// <summary>Shard <paramref name="shard"/>'s equal share of the batch: the same for every call with this thread count.</summary>
    protected (int First, int Count) EvenShare(int shard) => WorkerPool.Share(_batch, shard, _shards);

    /// <summary>Runs the kernel on samples first … first + count − 1 (thread <paramref name="shard"/>).</summary>
    protected abstract void Run(int shard, int first, int count);
}
