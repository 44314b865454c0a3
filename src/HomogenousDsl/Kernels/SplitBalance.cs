using System.Diagnostics;

namespace HomogenousDsl.Kernels;

/// <summary>
/// How much of each split product (or of each batch a kernel splits by sample, <see cref="SampleSplit"/>) every thread
/// takes, learned per product shape from how fast each thread finished its share last time. Two virtual cores of a
/// shared host often run 10–30% apart for minutes (which one is slower changes between runs), and an equal cut then
/// runs every product at the slower core's pace while the other spins. Shares move in whole register tiles (or whole
/// samples) and every tile is computed with one thread's blocking wherever it runs, so the product is bit-identical for
/// any shares; only the time changes. One table per dispatching thread, allocated once.
/// </summary>
internal sealed class SplitBalance
{
    /// <summary>Product shapes remembered; a training step has a handful (three per dense layer, two per convolution).</summary>
    private const int Capacity = 32;

    /// <summary>Weight of the newest measurement in each thread's pace: about ten products to follow a change.</summary>
    private const double Rate = 0.1;

    /// <summary>No thread's share falls below this fraction of an equal share (a late start is not a slow core).</summary>
    private const double MinimumShare = 0.5;

    private readonly long[] _keys = new long[Capacity];
    private readonly int[] _shardCounts = new int[Capacity];
    private readonly double[] _paces;
    private readonly int _maxShards;
    private int _used;

    public SplitBalance(int maxShards)
    {
        _maxShards = maxShards;
        _paces = new double[Capacity * maxShards];
    }

    /// <summary>Shards this table can balance; a pool with more threads needs a new table.</summary>
    public int MaxShards => _maxShards;

    /// <summary>Product shapes seen so far.</summary>
    public int Entries => _used;

    /// <summary>The entry for one product shape split <paramref name="shards"/> ways, created with equal paces on first use.</summary>
    public int Entry(int m, int n, int k, SplitAxis axis, int shards)
        => Entry(((long)m * 1_000_003 + n) * 1_000_033 + k * 2L + (axis == SplitAxis.Rows ? 0 : 1), shards);

    /// <summary>The entry for the work named <paramref name="key"/> split <paramref name="shards"/> ways, created with equal paces on first use.</summary>
    public int Entry(long key, int shards)
    {
        for (int e = 0; e < _used; e++)
        {
            if (_keys[e] == key && _shardCounts[e] == shards)
                return e;
        }
        // A full table shares its last entry among the remaining shapes: balanced less precisely, never wrongly.
        int entry = _used < Capacity ? _used++ : Capacity - 1;
        _keys[entry] = key;
        _shardCounts[entry] = shards;
        _paces.AsSpan(entry * _maxShards, shards).Fill(1.0 / shards);
        return entry;
    }

    /// <summary>
    /// Cuts <paramref name="tiles"/> tiles in proportion to the threads' paces: shard s takes tiles
    /// [starts[s], starts[s + 1]). Every shard gets at least one tile when there are enough.
    /// </summary>
    public void Cut(int entry, int tiles, int shards, Span<int> starts)
    {
        ReadOnlySpan<double> paces = _paces.AsSpan(entry * _maxShards, shards);
        double cumulative = 0;
        starts[0] = 0;
        for (int s = 1; s < shards; s++)
        {
            cumulative += paces[s - 1];
            int start = (int)Math.Round(cumulative * tiles);
            starts[s] = Math.Clamp(start, starts[s - 1] + 1, tiles - (shards - s));
        }
        starts[shards] = tiles;
    }

    /// <summary>
    /// Folds one product's timing into the paces: shard s did <c>starts[s + 1] − starts[s]</c> tiles and finished
    /// <paramref name="elapsed"/>[s] ticks after the dispatch (so a thread that starts late counts as slower).
    /// </summary>
    public void Record(int entry, int shards, ReadOnlySpan<int> starts, ReadOnlySpan<long> elapsed)
    {
        Span<double> paces = _paces.AsSpan(entry * _maxShards, shards);
        Span<double> measured = stackalloc double[shards];
        double total = 0;
        for (int s = 0; s < shards; s++)
        {
            int tiles = starts[s + 1] - starts[s];
            if (tiles <= 0 || elapsed[s] <= 0)
                return;
            measured[s] = tiles / (double)elapsed[s];
            total += measured[s];
        }
        // The blend of two distributions sums to 1; shares raised to the floor are paid for by the others.
        double floor = MinimumShare / shards, raised = 0, free = 0;
        for (int s = 0; s < shards; s++)
        {
            paces[s] = (1 - Rate) * paces[s] + Rate * measured[s] / total;
            if (paces[s] < floor)
                (raised, paces[s]) = (raised + floor - paces[s], floor);
            else
                free += paces[s];
        }
        for (int s = 0; raised > 0 && s < shards; s++)
        {
            if (paces[s] > floor)
                paces[s] -= raised * paces[s] / free;
        }
    }

    /// <summary>The current time in <see cref="Stopwatch"/> ticks.</summary>
    public static long Now() => Stopwatch.GetTimestamp();
}
