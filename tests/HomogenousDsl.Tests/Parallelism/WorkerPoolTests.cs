using HomogenousDsl.Parallelism;
using HomogenousDsl.Tests.Training;

namespace HomogenousDsl.Tests.Parallelism;

/// <summary>The worker pool: every shard runs once per phase, failures surface, and blocking waits allocate nothing.</summary>
[Collection(nameof(AllocationSensitive))]
public sealed class WorkerPoolTests
{
    [Fact]
    public void EveryShardRunsOncePerPhaseAndAWorkerFailureSurfaces()
    {
        using var pool = new WorkerPool(3);
        var counts = new Counting(3);
        for (var phase = 0; phase < 100; phase++)
            pool.Run(counts, phase % 3 + 1);
        Assert.Equal(new[] { 100, 66, 33 }, counts.Runs);
        var failure = Assert.Throws<AggregateException>(() => pool.Run(new Failing(), 2));
        Assert.IsType<InvalidOperationException>(failure.InnerException);
    }

    /// <summary>
    /// Workers that fell asleep and a caller that waited long enough to block: once the pool has started, such phases
    /// allocate nothing on any thread.
    /// </summary>
    [Fact]
    public void PhasesThatBlockAllocateNothing()
    {
        using var pool = new WorkerPool(2);
        var slow = new SlowWorker();
        pool.Run(slow, 2);   // first calls (JIT, type loading), not blocking on purpose
        slow.Sleeps = true;
        for (var phase = 0; phase < 4; phase++)
        {
            Thread.Sleep(5);   // the worker stops spinning and blocks on its semaphore
            var caller = GC.GetAllocatedBytesForCurrentThread();
            var workers = pool.WorkerAllocatedBytes;
            pool.Run(slow, 2);   // ... and the caller blocks waiting for it
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - caller);
            Assert.Equal(0, pool.WorkerAllocatedBytes - workers);
        }
    }

    private sealed class Counting(int shards) : IShardWork
    {
        public int[] Runs { get; } = new int[shards];

        public void RunShard(int shard) => Interlocked.Increment(ref Runs[shard]);
    }

    private sealed class Failing : IShardWork
    {
        public void RunShard(int shard)
        {
            if (shard == 1)
                throw new InvalidOperationException("shard 1");
        }
    }

    private sealed class SlowWorker : IShardWork
    {
        public bool Sleeps { get; set; }

        public void RunShard(int shard)
        {
            if (Sleeps && shard == 1)
                Thread.Sleep(2);
        }
    }
}
