namespace HomogenousDsl.Parallelism;

/// <summary>
/// A fixed set of background threads that run the shards of one phase while the calling thread runs shard 0.
/// Dispatch and completion use semaphores and an event, so running a phase allocates nothing. Shard i always runs
/// the same share of the work, which keeps results bit-identical for a given thread count.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly ManualResetEventSlim _done = new(false);
    private IShardWork? _work;
    private int _pending;
    private Exception? _failure;
    private volatile bool _stopping;
    private readonly long[] _workerAllocations;

    /// <summary>Creates a pool for <paramref name="threads"/> shards (the caller counts as one).</summary>
    public WorkerPool(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "A pool needs at least the calling thread.");
        Threads = threads;
        _start = new SemaphoreSlim[threads - 1];
        _threads = new Thread[threads - 1];
        _workerAllocations = new long[threads - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _start[i] = new SemaphoreSlim(0);
            var shard = i + 1;
            _threads[i] = new Thread(() => Loop(shard)) { IsBackground = true, Name = $"HomogenousDsl worker {shard}" };
            _threads[i].Start();
        }
    }

    /// <summary>Bytes the worker threads have allocated so far (for tests that a phase allocates nothing).</summary>
    internal long WorkerAllocatedBytes
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _workerAllocations.Length; i++)
                total += Volatile.Read(ref _workerAllocations[i]);
            return total;
        }
    }

    /// <summary>Shards per phase, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Resolves a requested thread count: 0 means every core, anything else is taken as is (at least 1).</summary>
    public static int Resolve(int requested) => requested <= 0 ? Environment.ProcessorCount : requested;

    /// <summary>Runs shards 0 … <paramref name="shards"/> − 1 of <paramref name="work"/> and returns when all have finished.</summary>
    public void Run(IShardWork work, int shards)
    {
        if (shards < 1 || shards > Threads)
            throw new ArgumentOutOfRangeException(nameof(shards), shards, $"between 1 and {Threads}");
        if (shards == 1)
        {
            work.RunShard(0);
            return;
        }
        _work = work;
        _failure = null;
        _pending = shards - 1;
        _done.Reset();
        for (var i = 0; i < shards - 1; i++)
            _start[i].Release();
        try
        {
            work.RunShard(0);
        }
        finally
        {
            _done.Wait();
            _work = null;
        }
        if (_failure is { } failure)
            throw new AggregateException("A worker shard failed.", failure);
    }

    private void Loop(int shard)
    {
        while (true)
        {
            _start[shard - 1].Wait();
            if (_stopping)
                return;
            try
            {
                _work!.RunShard(shard);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            Volatile.Write(ref _workerAllocations[shard - 1], GC.GetAllocatedBytesForCurrentThread());
            if (Interlocked.Decrement(ref _pending) == 0)
                _done.Set();
        }
    }

    /// <summary>Stops the background threads.</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (var start in _start)
            start.Release();
        foreach (var thread in _threads)
            thread.Join();
        foreach (var start in _start)
            start.Dispose();
        _done.Dispose();
    }
}
