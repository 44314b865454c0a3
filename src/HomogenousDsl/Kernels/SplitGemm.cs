using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>Which side of C a split product cuts between threads.</summary>
internal enum SplitAxis
{
    /// <summary>Rows of C (whole 8-row tiles): each thread packs only its rows of A.</summary>
    Rows,

    /// <summary>Columns of C (whole 32-column panels): each thread packs only its columns of B.</summary>
    Columns,
}

/// <summary>Work a split product's thread does on its own part of C right after computing it (while it is in cache).</summary>
internal interface ISplitEpilogue
{
    /// <summary>Finishes rows or columns [<paramref name="first"/>, <paramref name="end"/>) of C.</summary>
    void Finish(int first, int end);
}

/// <summary>
/// Splits one large packed GEMM over the worker pool that <see cref="KernelThreads"/> lends the calling thread: one
/// side of C is cut into whole register tiles, each thread packs only the operand rows or columns of its part and
/// writes disjoint rows or columns of C. Unlike splitting a small batch across threads, no thread packs the whole
/// weight matrix and no gradients need summing afterwards. Each element is computed with the blocking one thread
/// would use, so the result is bit-identical to the unsplit product.
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
    private bool _accumulate;
    private SplitAxis _axis;
    private ISplitEpilogue? _epilogue;

    /// <summary>
    /// The part of an extent of <paramref name="extent"/> that shard <paramref name="shard"/> of
    /// <paramref name="shards"/> computes when a product is cut along it in tiles of <paramref name="tile"/>.
    /// Shared with the training engine, which updates each weight row on the thread that computed its gradient.
    /// </summary>
    public static (int First, int End) Part(int extent, int tile, int shard, int shards)
    {
        var tiles = (extent + tile - 1) / tile;
        var first = Math.Min(extent, (int)((long)tiles * shard / shards) * tile);
        var end = Math.Min(extent, (int)((long)tiles * (shard + 1) / shards) * tile);
        return (first, end);
    }

    /// <summary>
    /// Runs the product on the lent pool, cut along <paramref name="axis"/>, and returns true; or returns false when it
    /// should run on this thread alone (no pool lent, too small, fewer than two tiles along the axis).
    /// </summary>
    public static bool TryRun(in OffsetMatrix a, in OffsetMatrix b, float* c, nint ldc, int m, int n, int k, bool accumulate,
        SplitAxis axis, ISplitEpilogue? epilogue = null)
    {
        var pool = KernelThreads.Current;
        if (pool is null || k <= 0 || (long)m * n * k < MinimumMultiplyAdds)
            return false;
        var shards = Math.Min(pool.Threads, axis == SplitAxis.Rows ? m / GemmMicroKernel.Rows : n / GemmMicroKernel.Columns);
        if (shards < 2)
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
        split._axis = axis;
        split._epilogue = epilogue;
        split._shards = shards;
        try
        {
            using (KernelThreads.Suspend())
                pool.Run(split, shards);
        }
        finally
        {
            split._epilogue = null;
        }
        return true;
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        var rows = _axis == SplitAxis.Rows;
        var (first, end) = Part(rows ? _m : _n, rows ? GemmMicroKernel.Rows : GemmMicroKernel.Columns, shard, _shards);
        if (end <= first)
            return;
        if (rows)
        {
            var a = new OffsetMatrix(_a.Source, _a.RowOffsets + first, _a.ColumnOffsets, _a.Overread, _a.ColumnStride);
            PackedGemm.Multiply(a, _b, _c + first * _ldc, _ldc, end - first, _n, _k, _accumulate);
        }
        else
        {
            var b = new OffsetMatrix(_b.Source, _b.RowOffsets, _b.ColumnOffsets + first, _b.Overread, _b.ColumnStride);
            PackedGemm.Multiply(_a, b, _c + first, _ldc, _m, end - first, _k, _accumulate);
        }
        _epilogue?.Finish(first, end);
    }
}
