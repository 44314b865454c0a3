using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Splits one large packed GEMM over the worker pool that <see cref="KernelThreads"/> lends the calling thread: the
/// longer of C's two sides is cut into whole register tiles, each thread packs only the operand rows or columns of
/// its part and writes disjoint rows or columns of C. Unlike splitting a small batch across threads, no thread packs
/// the whole weight matrix and no gradients need summing afterwards.
/// </summary>
internal sealed unsafe class SplitGemm : IShardWork
{
    // Below this much work a second thread costs more than it saves (a dispatch is a few microseconds).
    private const long MinimumMultiplyAdds = 1L << 20;

    [ThreadStatic] private static SplitGemm? t_instance;

    private OffsetMatrix _a, _b;
    private float* _c;
    private nint _ldc;
    private int _m, _n, _k, _shards;
    private bool _accumulate, _splitRows;

    /// <summary>Runs the product on the lent pool and returns true, or returns false when it should run here alone.</summary>
    public static bool TryRun(in OffsetMatrix a, in OffsetMatrix b, float* c, nint ldc, int m, int n, int k, bool accumulate)
    {
        var pool = KernelThreads.Current;
        if (pool is null || (long)m * n * k < MinimumMultiplyAdds)
            return false;
        var split = t_instance ??= new SplitGemm();
        split._a = a;
        split._b = b;
        split._c = c;
        split._ldc = ldc;
        split._m = m;
        split._n = n;
        split._k = k;
        split._accumulate = accumulate;
        split._splitRows = m >= n;
        split._shards = Math.Min(pool.Threads, (split._splitRows ? m / GemmMicroKernel.Rows : n / GemmMicroKernel.Columns));
        if (split._shards < 2)
            return false;
        using (KernelThreads.Suspend())
            pool.Run(split, split._shards);
        return true;
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        var tile = _splitRows ? GemmMicroKernel.Rows : GemmMicroKernel.Columns;
        var tiles = ((_splitRows ? _m : _n) + tile - 1) / tile;
        var first = (int)((long)tiles * shard / _shards) * tile;
        var end = Math.Min(_splitRows ? _m : _n, (int)((long)tiles * (shard + 1) / _shards) * tile);
        if (end <= first)
            return;
        if (_splitRows)
        {
            var a = new OffsetMatrix(_a.Source, _a.RowOffsets + first, _a.ColumnOffsets, _a.Overread, _a.ColumnStride);
            PackedGemm.Multiply(a, _b, _c + first * _ldc, _ldc, end - first, _n, _k, _accumulate);
        }
        else
        {
            var b = new OffsetMatrix(_b.Source, _b.RowOffsets, _b.ColumnOffsets + first, _b.Overread, _b.ColumnStride);
            PackedGemm.Multiply(_a, b, _c + first, _ldc, _m, end - first, _k, _accumulate);
        }
    }
}
