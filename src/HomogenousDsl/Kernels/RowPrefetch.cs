using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Software prefetch. A random batch of a data set larger than the caches is a gather from memory, and copying row after
/// row waits on one row's latency at a time; asking for a few rows ahead keeps several in flight. A range needed after a
/// computation can be asked for before it, so that its latency overlaps the arithmetic.
/// </summary>
internal static class RowPrefetch
{
    private const int LineFloats = 16, LineBytes = 64;

    /// <summary>Hints every cache line of <paramref name="values"/> into L2; a no-op where the instruction does not exist.</summary>
    public static unsafe void Range(ReadOnlySpan<float> values)
    {
        if (!Sse.IsSupported || values.IsEmpty)
            return;
        fixed (float* start = values)
        {
            for (var offset = 0; offset < values.Length; offset += LineFloats)
                Sse.Prefetch1(start + offset);
            Sse.Prefetch1(start + values.Length - 1);
        }
    }

    /// <summary>Hints every cache line of the chosen rows into L2; a no-op where the instruction does not exist.</summary>
    public static void Rows(float[] data, int rowSize, ReadOnlySpan<int> rows)
        => Rows(MemoryMarshal.AsBytes(data.AsSpan()), rowSize * sizeof(float), rows);

    /// <summary>The same for rows of <paramref name="rowBytes"/> bytes.</summary>
    public static unsafe void Rows(ReadOnlySpan<byte> data, int rowBytes, ReadOnlySpan<int> rows)
    {
        if (!Sse.IsSupported)
            return;
        fixed (byte* start = data)
        {
            foreach (var row in rows)
            {
                // Prefetches never fault, but an index from elsewhere should not even point outside the array.
                if ((uint)row >= (uint)(data.Length / rowBytes))
                    continue;
                byte* first = start + (long)row * rowBytes;
                for (var offset = 0; offset < rowBytes; offset += LineBytes)
                    Sse.Prefetch1(first + offset);
                Sse.Prefetch1(first + rowBytes - 1);
            }
        }
    }
}
