using System.Reflection;
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

    /// <summary>
    /// A dispatcher preempted between taking a ticket and lowering the worker's flag releases the worker late, after
    /// the worker has already run that ticket by spinning and gone to sleep. The late release must not count as a new
    /// ticket: before the fix the worker ran a shard nobody dispatched and then slept through the next real one (hang).
    /// </summary>
    [Fact]
    public void ALateReleaseFromAPreemptedDispatcherIsNotANewPhase()
    {
        using var pool = new WorkerPool(2);
        var counts = new Counting(2);
        pool.Run(counts, 2);
        var sleeping = Field<int[]>(pool, "_sleeping");
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref sleeping[0]) == 1, 5000), "the worker never went to sleep");

        // The late half of a dispatch: flag lowered, semaphore released, no new ticket.
        Assert.Equal(1, Interlocked.CompareExchange(ref sleeping[0], 0, 1));
        Field<SemaphoreSlim[]>(pool, "_start")[0].Release();
        Thread.Sleep(20);
        Assert.Equal(new[] { 1, 1 }, counts.Runs);

        var next = new Thread(() => pool.Run(counts, 2)) { IsBackground = true };
        next.Start();
        Assert.True(next.Join(TimeSpan.FromSeconds(10)), "the next phase never finished");
        Assert.Equal(new[] { 2, 2 }, counts.Runs);
    }

    /// <summary>
    /// The caller's side of the same race: the last worker of an earlier phase, preempted between its countdown and
    /// claiming the caller's flag, wakes the caller late, during a later phase. The caller must still wait for that phase.
    /// </summary>
    [Fact]
    public void ALateWakeFromAnEarlierPhaseDoesNotEndTheCallersWait()
    {
        using var pool = new WorkerPool(2);
        var slow = new SlowWorker { Sleeps = true, SleepMilliseconds = 300 };
        var callerSleeping = typeof(WorkerPool).GetField("_callerSleeping", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var done = Field<ManualResetEventSlim>(pool, "_done");
        var lateWake = new Thread(() =>
        {
            // Once the caller has raised its flag and blocked: claim the flag and wake it, as that late worker would.
            SpinWait.SpinUntil(() => (int)callerSleeping.GetValue(pool)! == 1, 5000);
            callerSleeping.SetValue(pool, 0);
            done.Set();
        });
        lateWake.Start();
        pool.Run(slow, 2);
        Assert.Equal(1, Volatile.Read(ref slow.Finished));
        lateWake.Join();
    }

    private static T Field<T>(WorkerPool pool, string name)
        => (T)typeof(WorkerPool).GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pool)!;

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
        public int Finished;

        public bool Sleeps { get; set; }

        public int SleepMilliseconds { get; init; } = 2;

        public void RunShard(int shard)
        {
            if (Sleeps && shard == 1)
            {
                Thread.Sleep(SleepMilliseconds);
                Interlocked.Increment(ref Finished);
            }
        }
    }
}
