using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>
/// A small product C = A·B on <see cref="Gemm.Multiply"/>'s loops (a one-output layer's input adjoint, an outer product)
/// whose rows of C the lent threads compute in shares, each then finishing its own rows (an activation's derivative).
/// The arithmetic is cheap; the split is for the writes. In a split step both cores read every line of C the step
/// before, and a core takes such a line back at 7–12 times the cost of writing one of its own (the fourteenth round's
/// probe), so one thread writing all of C waited on every line alone (W2: 10 µs of a 280 µs step). Each element is the
/// same chain of fused multiply-adds whichever rows surround it, so the bits do not change.
/// </summary>
internal sealed unsafe class SmallProductSplit : IShardWork
{
    // Below this much of C (32 KB) a dispatch, 1–3 µs, costs more than halving the writes saves.
    private const long MinimumFloats = 1L << 13;

    [ThreadStatic] private static SmallProductSplit? t_instance;

    private float* _a, _b, _c;
    private int _aRowStride, _aColumnStride, _m, _n, _k, _shards;
    private ISplitEpilogue? _finish;

    private SmallProductSplit() { }

    /// <summary>
    /// Runs C (m×n, rows dense) = A·B with A(i, p) = a[i·aRowStride + p·aColumnStride] and B k×n on the lent pool, then
    /// <paramref name="finish"/> over each thread's rows, and returns true; or returns false when it should run here alone
    /// (no pool lent, a single row, or too small to repay the dispatch).
    /// </summary>
    public static bool TryRun(float* a, int aRowStride, int aColumnStride, float* b, float* c, int m, int n, int k, ISplitEpilogue? finish)
    {
        var pool = KernelThreads.Current;
        if (pool is null || m < 2 || k <= 0 || (long)m * n < MinimumFloats)
            return false;
        var split = t_instance ??= new SmallProductSplit();
        split._a = a;
        split._b = b;
        split._c = c;
        split._aRowStride = aRowStride;
        split._aColumnStride = aColumnStride;
        split._m = m;
        split._n = n;
        split._k = k;
        split._finish = finish;
        split._shards = Math.Min(pool.Threads, m);
        try
        {
            using (KernelThreads.Suspend())
                pool.Run(split, split._shards);
        }
        finally
        {
            split._finish = null;
        }
        return true;
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        var (first, count) = WorkerPool.Share(_m, shard, _shards);
        if (count == 0)
            return;
        long aLength = (long)(count - 1) * _aRowStride + (long)(_k - 1) * _aColumnStride + 1;
        Gemm.Multiply(new ReadOnlySpan<float>(_a + (long)first * _aRowStride, checked((int)aLength)), _aRowStride, _aColumnStride,
            new ReadOnlySpan<float>(_b, checked(_k * _n)), new Span<float>(_c + (long)first * _n, checked(count * _n)), count, _n, _k, accumulate: false);
        _finish?.Finish(first, first + count);
    }
}
