using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HomogenousDsl.Kernels;

/// <summary>
/// A private copy of a block's gathered input rows for each worker shard of a split product. When the kernels of a
/// small batch are split across threads, every thread packs the whole batch side of the first dense layer's products
/// (X, then Xᵀ) from one input buffer. On a host whose cores take each other's lines at a seventh of the rate of their
/// own, one thread writing that buffer makes the other wait for it, and the buffer written past the caches sends both
/// to memory. Instead each thread gathers every row for itself: shard 0 into the buffer the network reads, shard s
/// into its copy, and a split product's shard s reads its copy wherever the product reads the buffer
/// (<see cref="For"/>). The copies hold the same floats, so the results are the same bits.
/// </summary>
internal sealed unsafe class InputMirror
{
    [ThreadStatic] private static InputMirror? t_current;

    private readonly float[] _shared;
    private readonly float[][] _copies;

    /// <summary>
    /// A mirror of <paramref name="shared"/> (allocated pinned) with a pinned copy for each of shards 1 …
    /// <paramref name="shards"/> − 1.
    /// </summary>
    public InputMirror(float[] shared, int shards)
    {
        _shared = shared;
        _copies = new float[shards][];
        _copies[0] = shared;
        for (var s = 1; s < shards; s++)
            _copies[s] = GC.AllocateArray<float>(shared.Length, pinned: true);
    }

    /// <summary>The mirror lent to the products dispatched from this thread, if any.</summary>
    public static InputMirror? Current => t_current;

    /// <summary>Lends <paramref name="mirror"/> to the split products dispatched from this thread until the scope ends.</summary>
    public static Scope Lend(InputMirror? mirror)
    {
        var previous = t_current;
        t_current = mirror;
        return new Scope(previous);
    }

    /// <summary>The rows shard <paramref name="shard"/> gathers into: the shared buffer for shard 0, its copy otherwise.</summary>
    public float[] RowsOf(int shard) => _copies[shard];

    /// <summary>
    /// The view shard <paramref name="shard"/> reads: <paramref name="matrix"/> itself, or, where it reads the shared
    /// buffer, the same offsets into the shard's copy.
    /// </summary>
    public OffsetMatrix For(in OffsetMatrix matrix, int shard)
    {
        if (shard == 0 || (uint)shard >= (uint)_copies.Length)
            return matrix;
        // Both arrays live on the pinned heap: their addresses do not move.
        float* shared = Start(_shared);
        if (matrix.Source < shared || matrix.Source >= shared + _shared.Length)
            return matrix;
        return new OffsetMatrix(Start(_copies[shard]) + (matrix.Source - shared), matrix.RowOffsets, matrix.ColumnOffsets, matrix.Overread, matrix.ColumnStride);
    }

    private static float* Start(float[] values) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(values));

    /// <summary>Restores the previous lending when disposed.</summary>
    public readonly struct Scope(InputMirror? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_current = previous;
    }
}
