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

    /// <summary>
    /// Rows [<paramref name="first"/>, <paramref name="end"/>) of C, a claim of a few tiles, are about to be computed on
    /// this thread: time to fetch what <see cref="Finish"/> will read. Not called for a whole cut share.
    /// </summary>
    void Starting(int first, int end) { }
}

/// <summary>
/// Splits one large packed GEMM over the worker pool that <see cref="KernelThreads"/> lends the calling thread, in
/// whole register tiles of one side of C. Where the batch side of a row split packs whole (<see cref="WholeBGemm"/>),
/// threads claim row tiles as they go, own share first; otherwise each call is cut in proportion to each thread's
/// measured pace on that product (<see cref="SplitBalance"/>), and each thread packs only the operand rows or columns
/// of its part. Threads write disjoint rows or columns of C. Unlike splitting a small batch across threads, no thread packs the whole
/// weight matrix and no gradients need summing afterwards. Where the dispatching thread lends an
/// <see cref="InputMirror"/>, a worker shard reads its own copy of the gathered input in place of the shared rows. Each
/// element is computed with the blocking one thread would use, so the result is bit-identical to the unsplit product.
/// </summary>
internal sealed unsafe class SplitGemm : IShardWork
{
    // Below this much work a second thread costs more than it saves (a dispatch is a few microseconds).
    internal const long MinimumMultiplyAdds = 1L << 20;

    [ThreadStatic] private static SplitGemm? t_instance;

    /// <summary>The shares learned for products dispatched from this thread (null before the first split).</summary>
    internal static SplitBalance? Balance => t_instance?._balance;

    private OffsetMatrix _a, _b;
    private float* _c;
    private nint _ldc;
    private int _m, _n, _k, _shards;
    private bool _accumulate;
    // A fused update (see PackedGemm.Multiply): its scale, and whether each thread watches its tiles' finiteness.
    private float _scale = 1f;
    private bool _watched;
    private SplitAxis _axis;
    private ISplitEpilogue? _epilogue;
    // Private copies of the gathered input that worker shards read in its place (see InputMirror), if lent.
    private InputMirror? _mirror;
    private SplitBalance? _balance;
    // This product's cut (shard s takes tiles [_starts[s], _starts[s + 1])) and each shard's finishing time.
    private int[] _starts = [];
    private long[] _finished = [];
    // Claimed instead of cut: every thread packs B whole, then takes ClaimTiles row tiles at a time from the front of
    // its own share (the equal cut, whose weight rows it also updates and reads next step) and, once that is done, from
    // the back of the others'. Per shard, the unclaimed tiles [front, back) packed into one long: front low, back high.
    private bool _claimed;
    private long[] _unclaimed = [];

    /// <summary>Row tiles a thread takes per claim: a pair, so k-major A tiles pack together and transposes get 16 rows.</summary>
    private const int ClaimTiles = 2;

    /// <summary>Longs between two shards' counters: each on its own 128 bytes, so claims on one do not evict the other.</summary>
    private const int CounterStride = 16;

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
    /// should run on this thread alone (no pool lent, too small, fewer than two tiles along the axis). A
    /// <paramref name="scale"/> other than 1 or <paramref name="watched"/> make it a fused update: each thread's tiles add
    /// to <see cref="FiniteWatch"/> on that thread, for the epilogue to read there.
    /// </summary>
    public static bool TryRun(in OffsetMatrix a, in OffsetMatrix b, float* c, nint ldc, int m, int n, int k, bool accumulate,
        SplitAxis axis, ISplitEpilogue? epilogue = null, float scale = 1f, bool watched = false)
    {
        var pool = KernelThreads.Current;
        if (pool is null || k <= 0 || (long)m * n * k < MinimumMultiplyAdds)
            return false;
        var shards = Math.Min(pool.Threads, axis == SplitAxis.Rows ? m / GemmMicroKernel.Rows : n / GemmMicroKernel.Columns);
        if (shards < 2)
            return false;
        var split = t_instance ??= new SplitGemm();
        if (split._balance is null || split._balance.MaxShards < pool.Threads)
        {
            split._balance = new SplitBalance(pool.Threads);
            split._starts = new int[pool.Threads + 1];
            split._finished = new long[pool.Threads];
            split._unclaimed = new long[pool.Threads * CounterStride];
        }
        // Row splits whose batch side packs whole take tiles as they go: no cut to get wrong. The others are cut in
        // proportion to the threads' measured paces.
        split._claimed = axis == SplitAxis.Rows && WholeBGemm.Fits(n, k);
        for (var s = 0; split._claimed && s < shards; s++)
        {
            var (first, end) = Part(m, GemmMicroKernel.Rows, s, shards);
            split._unclaimed[s * CounterStride] = Range(first / GemmMicroKernel.Rows, (end + GemmMicroKernel.Rows - 1) / GemmMicroKernel.Rows);
        }
        var tile = axis == SplitAxis.Rows ? GemmMicroKernel.Rows : GemmMicroKernel.Columns;
        var entry = split._claimed ? -1 : split._balance.Entry(m, n, k, axis, shards);
        if (!split._claimed)
            split._balance.Cut(entry, ((axis == SplitAxis.Rows ? m : n) + tile - 1) / tile, shards, split._starts);
        split._a = a;
        split._b = b;
        split._c = c;
        split._ldc = ldc;
        split._m = m;
        split._n = n;
        split._k = k;
        split._accumulate = accumulate;
        split._scale = scale;
        split._watched = watched;
        split._axis = axis;
        split._epilogue = epilogue;
        split._mirror = InputMirror.Current;
        split._shards = shards;
        var dispatched = SplitBalance.Now();
        try
        {
            using (KernelThreads.Suspend())
                pool.Run(split, shards);
        }
        finally
        {
            split._epilogue = null;
            split._mirror = null;
        }
        if (split._claimed)
            return true;
        Span<long> elapsed = stackalloc long[shards];
        for (var s = 0; s < shards; s++)
            elapsed[s] = split._finished[s] - dispatched;
        split._balance.Record(entry, shards, split._starts, elapsed);
        return true;
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        if (_claimed)
        {
            RunClaimedTiles(shard);
            return;
        }
        var rows = _axis == SplitAxis.Rows;
        var extent = rows ? _m : _n;
        var tile = rows ? GemmMicroKernel.Rows : GemmMicroKernel.Columns;
        var first = Math.Min(extent, _starts[shard] * tile);
        var end = Math.Min(extent, _starts[shard + 1] * tile);
        // Even a thread with nothing to do this time: its next share may be the largest yet.
        PackedGemm.Reserve(_m, _n, _k);
        float* watch = _watched ? FiniteWatch.Current : null;
        if (end <= first)
        {
            _finished[shard] = SplitBalance.Now();
            return;
        }
        OffsetMatrix a = Operand(_a, shard), b = Operand(_b, shard);
        if (rows)
        {
            a = a.FromRow(first);
            PackedGemm.Multiply(a, b, _c + first * _ldc, _ldc, end - first, _n, _k, _accumulate, _scale, watch);
        }
        else
        {
            b = b.FromColumn(first);
            PackedGemm.Multiply(a, b, _c + first, _ldc, _m, end - first, _k, _accumulate, _scale, watch);
        }
        _epilogue?.Finish(first, end);
        _finished[shard] = SplitBalance.Now();
    }

    private void RunClaimedTiles(int shard)
    {
        // A thread that finds every tile taken this time may claim some next time: its buffers are sized regardless.
        WholeBGemm.Reserve(_n, _k);
        float* watch = _watched ? FiniteWatch.Current : null;
        float* packedB = null;
        OffsetMatrix a = Operand(_a, shard), b = Operand(_b, shard);
        for (var i = 0; i < _shards; i++)
        {
            // Own share from the front; then the others' from the back, where their owners will reach last.
            var victim = (shard + i) % _shards;
            while (TryClaim(ref _unclaimed[victim * CounterStride], fromFront: i == 0, out var tile, out var count))
            {
                // Packed on the first claim only, so a thread that arrives after every tile is taken packs nothing.
                if (packedB == null)
                    packedB = WholeBGemm.Pack(b, _n, _k);
                int first = tile * GemmMicroKernel.Rows, end = Math.Min(_m, (tile + count) * GemmMicroKernel.Rows);
                _epilogue?.Starting(first, end);
                WholeBGemm.MultiplyRows(a, packedB, _c, _ldc, first, end, _n, _k, _accumulate, _scale, watch);
                _epilogue?.Finish(first, end);
            }
        }
    }

    // An operand as this shard reads it: its own copy of the gathered input where the operand is that input.
    private OffsetMatrix Operand(in OffsetMatrix operand, int shard) => _mirror is null ? operand : _mirror.For(operand, shard);

    internal static long Range(int front, int back) => ((long)back << 32) | (uint)front;

    internal static bool TryClaim(ref long unclaimed, bool fromFront, out int tile, out int count)
    {
        while (true)
        {
            var current = Volatile.Read(ref unclaimed);
            int front = (int)current, back = (int)(current >> 32);
            // The owner takes a quarter of what is left (whole pairs), thieves a pair: few claims, a fine end.
            count = Math.Min(back - front, fromFront ? Math.Max(ClaimTiles, (back - front) / 4 & ~1) : ClaimTiles);
            if (count <= 0)
            {
                tile = 0;
                return false;
            }
            tile = fromFront ? front : back - count;
            var next = fromFront ? Range(front + count, back) : Range(front, back - count);
            if (Interlocked.CompareExchange(ref unclaimed, next, current) == current)
                return true;
        }
    }
}
