namespace HomogenousDsl.Parallelism;

/// <summary>
/// A fixed set of background threads that run the shards of one phase while the calling thread runs shard 0.
/// Shard i always runs the same share of the work, which keeps results bit-identical for a given thread count.
/// A training step dispatches several phases microseconds apart, and waking a blocked thread costs about as much as a
/// small phase, so an idle worker spins on its ticket for <see cref="SpinMicroseconds"/> before blocking on its
/// semaphore, and the caller spins the same while waiting for the workers. Running a phase allocates nothing.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    /// <summary>How long an idle worker (or the waiting caller) spins before it blocks.</summary>
    public const int SpinMicroseconds = 50;

    private static readonly long s_spinTicks = Math.Max(1, System.Diagnostics.Stopwatch.Frequency * SpinMicroseconds / 1_000_000);

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly ManualResetEventSlim _done = new(false);
    // Per worker: dispatches so far, and 1 while it is (about to be) blocked on its semaphore. Whoever turns that 1
    // back into 0 decides: the dispatcher then releases the semaphore; the worker then runs without waiting on it.
    private readonly long[] _tickets;
    private readonly int[] _sleeping;
    // The same handshake for the caller waiting on the workers: the last worker sets _done only if it claims this flag.
    private int _callerSleeping;
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
        _tickets = new long[threads - 1];
        _sleeping = new int[threads - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _start[i] = new SemaphoreSlim(0);
            var shard = i + 1;
            _threads[i] = new Thread(() => Loop(shard)) { IsBackground = true, Name = $"HomogenousDsl worker {shard}" };
            _threads[i].Start();
        }
        if (_threads.Length > 0)
            BlockEveryThreadOnce();
    }

    /// <summary>
    /// The first time a thread blocks on a SemaphoreSlim or ManualResetEventSlim, the primitive builds its lock object
    /// (a few dozen bytes). On a busy machine the first blocking wait could come in the middle of a long run, so that a
    /// step would allocate; instead every worker and the caller block once here.
    /// </summary>
    private void BlockEveryThreadOnce()
    {
        // Workers spin briefly, then block on their semaphores.
        foreach (var thread in _threads)
        {
            while ((thread.ThreadState & ThreadState.WaitSleepJoin) == 0)
                Thread.Sleep(1);
        }
        // The caller waits for workers that take long enough for it to block.
        Run(SlowShards.Instance, Threads);
        // On a loaded machine the caller can be descheduled through the whole of that phase and never block: a timed
        // wait on the unset event builds the event's lock object for certain (the pool's tests caught 24 bytes).
        if (!_done.IsSet)
            _done.Wait(1);
    }

    /// <summary>Shards that outlast the caller's spin, so it blocks on the done event.</summary>
    private sealed class SlowShards : IShardWork
    {
        public static readonly SlowShards Instance = new();

        public void RunShard(int shard)
        {
            if (shard > 0)
                Thread.Sleep(2);
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

    /// <summary>
    /// The contiguous share [Start, Start + Count) of <paramref name="total"/> items that shard <paramref name="shard"/>
    /// of <paramref name="shards"/> takes: the same cut everywhere, so a thread count always gives the same shares.
    /// </summary>
    public static (int Start, int Count) Share(int total, int shard, int shards)
    {
        var start = (int)((long)total * shard / shards);
        var end = (int)((long)total * (shard + 1) / shards);
        return (start, end - start);
    }

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
        Volatile.Write(ref _pending, shards - 1);
        for (var i = 0; i < shards - 1; i++)
            Wake(i);
        try
        {
            work.RunShard(0);
        }
        finally
        {
            WaitForWorkers();
            _work = null;
        }
        if (_failure is { } failure)
            throw new AggregateException("A worker shard failed.", failure);
    }

    private void Wake(int worker)
    {
        Interlocked.Increment(ref _tickets[worker]);
        if (Interlocked.CompareExchange(ref _sleeping[worker], 0, 1) == 1)
            _start[worker].Release();
    }

    private void Loop(int shard)
    {
        var worker = shard - 1;
        long seen = 0;
        while (true)
        {
            WaitForTicket(worker, seen);
            seen++;
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
            Volatile.Write(ref _workerAllocations[worker], GC.GetAllocatedBytesForCurrentThread());
            if (Interlocked.Decrement(ref _pending) == 0 && Interlocked.CompareExchange(ref _callerSleeping, 0, 1) == 1)
                _done.Set();
        }
    }

    // A wake-up is only a hint: the condition is checked again after every one. A dispatcher (or a finishing worker)
    // can be preempted between its counter update and its flag exchange, and its release (or Set) then arrives late,
    // after the ticket (or the phase) it belonged to was already taken by spinning. Taken as a new ticket, such a late
    // release made a worker run shards that were never dispatched, forever (seen past the ticket, _pending far below 0).
    private void WaitForTicket(int worker, long seen)
    {
        var end = System.Diagnostics.Stopwatch.GetTimestamp() + s_spinTicks;
        while (Volatile.Read(ref _tickets[worker]) == seen)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() <= end)
            {
                Thread.SpinWait(8);
                continue;
            }
            // Every time the flag is raised it is lowered exactly once: by this thread (no release follows) or by a
            // dispatcher (one release follows, which this thread consumes), so the semaphore never keeps a stale count.
            Interlocked.Exchange(ref _sleeping[worker], 1);
            if (Volatile.Read(ref _tickets[worker]) == seen || Interlocked.CompareExchange(ref _sleeping[worker], 0, 1) == 0)
                _start[worker].Wait();
        }
    }

    private void WaitForWorkers()
    {
        var end = System.Diagnostics.Stopwatch.GetTimestamp() + s_spinTicks;
        while (Volatile.Read(ref _pending) != 0)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() <= end)
            {
                Thread.SpinWait(8);
                continue;
            }
            // The same handshake: a claimed flag means one Set is coming (possibly from the previous phase's last
            // worker, late); wait for it, then look at _pending again.
            Interlocked.Exchange(ref _callerSleeping, 1);
            if (Volatile.Read(ref _pending) != 0 || Interlocked.CompareExchange(ref _callerSleeping, 0, 1) == 0)
            {
                _done.Wait();
                _done.Reset();
            }
        }
    }

    /// <summary>Stops the background threads.</summary>
    public void Dispose()
    {
        _stopping = true;
        for (var i = 0; i < _threads.Length; i++)
            Wake(i);
        foreach (var thread in _threads)
            thread.Join();
        foreach (var start in _start)
            start.Dispose();
        _done.Dispose();
    }
}
