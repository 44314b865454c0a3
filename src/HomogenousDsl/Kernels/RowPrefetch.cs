using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Software prefetch of scattered rows. A random batch of a data set larger than the caches is a gather from memory,
/// and copying row after row waits on one row's latency at a time; asking for a few rows ahead keeps several in flight.
/// </summary>
internal static class RowPrefetch
{
    private const int LineFloats = 16;

    /// <summary>Hints every cache line of the chosen rows into L2; a no-op where the instruction does not exist.</summary>
    public static unsafe void Rows(float[] data, int rowSize, ReadOnlySpan<int> rows)
    {
        if (!Sse.IsSupported)
            return;
        fixed (float* start = data)
        {
            foreach (var row in rows)
            {
                // Prefetches never fault, but an index from elsewhere should not even point outside the array.
                if ((uint)row >= (uint)(data.Length / rowSize))
                    continue;
                float* first = start + (long)row * rowSize;
                for (var offset = 0; offset < rowSize; offset += LineFloats)
                    Sse.Prefetch1(first + offset);
                Sse.Prefetch1(first + rowSize - 1);
            }
        }
    }
}
