using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>Moves data between a dense span and every stride-th element of another.</summary>
internal static class Strided
{
    /// <summary>destination[i] = source[i·stride].</summary>
    public static void Gather(ReadOnlySpan<float> source, int stride, Span<float> destination)
    {
        int n = destination.Length;
        if (n == 0)
            return;
        if (stride == 1)
        {
            source[..n].CopyTo(destination);
            return;
        }
        Guard.AtLeast(source, (long)(n - 1) * stride + 1);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
            Gather<Vector512<float>, Simd512>(ref src, stride, ref dst, n);
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
            Gather<Vector256<float>, Simd256>(ref src, stride, ref dst, n);
        else
            Gather<float, SimdScalar>(ref src, stride, ref dst, n);
    }

    /// <summary>destination[i·stride] += scale·source[i].</summary>
    public static void ScatterAdd(ReadOnlySpan<float> source, Span<float> destination, int stride, float scale)
    {
        int n = source.Length;
        if (n == 0)
            return;
        if (stride == 1)
        {
            VectorMath.Axpy(scale, source, destination[..n]);
            return;
        }
        // No scatter instruction is available (AVX2 has none; .NET does not surface AVX-512's), so this stays scalar.
        // Only stride > 1 layers get here: col2im and average-pool backward, both linear in the data they touch.
        Guard.AtLeast(destination, (long)(n - 1) * stride + 1);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < n; i++)
            Unsafe.Add(ref dst, i * stride) += scale * Unsafe.Add(ref src, i);
    }

    // n ≥ T.Count: the last register starts early and overlaps the previous one, which a copy tolerates, instead of a scalar tail.
    private static void Gather<TV, T>(ref float source, int stride, ref float destination, int n) where TV : struct where T : ISimd<TV>
    {
        for (int i = 0; i < n; i += T.Count)
        {
            int at = Math.Min(i, n - T.Count);
            T.Store(T.LoadStrided(ref Unsafe.Add(ref source, at * stride), stride), ref Unsafe.Add(ref destination, at));
        }
    }
}
