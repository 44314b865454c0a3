using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>
/// The two matrix-product shapes the layer kernels lower to. Row-major throughout; B and C rows are dense.
/// Modest register blocking only: deeper GEMM tuning belongs here when it comes, behind the same signatures.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// C (m×n) = A·B, or C += A·B when <paramref name="accumulate"/>; A(i, p) = a[i·aRowStride + p·aColStride],
    /// so a transposed A is passed by swapping the strides. B is k×n.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, int aRowStride, int aColStride, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0)
            return;
        Guard.AtLeast(a, k == 0 ? 0 : (long)(m - 1) * aRowStride + (long)(k - 1) * aColStride + 1);
        Guard.AtLeast(b, (long)k * n);
        Guard.AtLeast(c, (long)m * n);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float pc = ref MemoryMarshal.GetReference(c);
        if (Vector512.IsHardwareAccelerated)
            Multiply<Vector512<float>, Simd512>(ref pa, aRowStride, aColStride, ref pb, ref pc, m, n, k, accumulate);
        else if (Vector256.IsHardwareAccelerated)
            Multiply<Vector256<float>, Simd256>(ref pa, aRowStride, aColStride, ref pb, ref pc, m, n, k, accumulate);
        else
            Multiply<float, SimdScalar>(ref pa, aRowStride, aColStride, ref pb, ref pc, m, n, k, accumulate);
    }

    /// <summary>C (m×n) = A·Bᵀ, or C += A·Bᵀ when <paramref name="accumulate"/>; A is m×k and B is n×k, so each entry is a row-row dot product.</summary>
    public static void MultiplyByTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        Guard.AtLeast(a, (long)m * k);
        Guard.AtLeast(b, (long)n * k);
        Guard.AtLeast(c, (long)m * n);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float pc = ref MemoryMarshal.GetReference(c);
        if (Vector512.IsHardwareAccelerated)
            MultiplyByTransposed<Vector512<float>, Simd512>(ref pa, ref pb, ref pc, m, n, k, accumulate);
        else if (Vector256.IsHardwareAccelerated)
            MultiplyByTransposed<Vector256<float>, Simd256>(ref pa, ref pb, ref pc, m, n, k, accumulate);
        else
            MultiplyByTransposed<float, SimdScalar>(ref pa, ref pb, ref pc, m, n, k, accumulate);
    }

    // Column panels outermost: one panel of B (k × register width) stays cache-hot while every row block of A streams past it.
    private static void Multiply<TV, T>(ref float a, int ars, int acs, ref float b, ref float c, int m, int n, int k, bool accumulate)
        where TV : struct where T : ISimd<TV>
    {
        int j = 0;
        // Under four rows no row block shares a loaded B register, and a lone panel's k steps are one chain of dependent
        // FMAs waiting on each other's latency: run four panels side by side (a one-output layer's forward pass).
        if (m < 4)
        {
            for (; j <= n - 4 * T.Count; j += 4 * T.Count)
                FourPanels<TV, T>(ref a, ars, acs, ref Unsafe.Add(ref b, j), ref Unsafe.Add(ref c, j), m, n, k, accumulate);
        }
        for (; j <= n - T.Count; j += T.Count)
            Panel<TV, T, WholeRegister>(ref a, ars, acs, ref Unsafe.Add(ref b, j), ref Unsafe.Add(ref c, j), m, n, k, accumulate, T.Count);
        // The last columns as one masked panel: each lane computes what a one-column scalar panel would.
        if (j < n)
            Panel<TV, T, FirstLanes>(ref a, ars, acs, ref Unsafe.Add(ref b, j), ref Unsafe.Add(ref c, j), m, n, k, accumulate, n - j);
    }

    // Four register-wide column panels of C, one row at a time: each element is the same chain of FMAs over k as in
    // Panel, so the same bits, with four chains in flight instead of one.
    private static void FourPanels<TV, T>(ref float a, int ars, int acs, ref float b, ref float c, int m, int n, int k, bool accumulate)
        where TV : struct where T : ISimd<TV>
    {
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * ars);
            ref float ci = ref Unsafe.Add(ref c, i * n);
            TV s0 = accumulate ? T.Load(ref ci) : T.Zero;
            TV s1 = accumulate ? T.Load(ref Unsafe.Add(ref ci, T.Count)) : T.Zero;
            TV s2 = accumulate ? T.Load(ref Unsafe.Add(ref ci, 2 * T.Count)) : T.Zero;
            TV s3 = accumulate ? T.Load(ref Unsafe.Add(ref ci, 3 * T.Count)) : T.Zero;
            for (int p = 0; p < k; p++)
            {
                TV ap = T.Create(Unsafe.Add(ref ai, p * acs));
                ref float bp = ref Unsafe.Add(ref b, p * n);
                s0 = T.MultiplyAdd(ap, T.Load(ref bp), s0);
                s1 = T.MultiplyAdd(ap, T.Load(ref Unsafe.Add(ref bp, T.Count)), s1);
                s2 = T.MultiplyAdd(ap, T.Load(ref Unsafe.Add(ref bp, 2 * T.Count)), s2);
                s3 = T.MultiplyAdd(ap, T.Load(ref Unsafe.Add(ref bp, 3 * T.Count)), s3);
            }
            T.Store(s0, ref ci);
            T.Store(s1, ref Unsafe.Add(ref ci, T.Count));
            T.Store(s2, ref Unsafe.Add(ref ci, 2 * T.Count));
            T.Store(s3, ref Unsafe.Add(ref ci, 3 * T.Count));
        }
    }

    // One register-wide column panel of C (or the first `columns` of one), four rows at a time so each loaded B register
    // feeds four FMAs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Panel<TV, T, TWidth>(ref float a, int ars, int acs, ref float b, ref float c, int m, int n, int k, bool accumulate, int columns)
        where TV : struct where T : ISimd<TV> where TWidth : IRegisterWidth
    {
        int i = 0;
        for (; i <= m - 4; i += 4)
        {
            ref float ai = ref Unsafe.Add(ref a, i * ars);
            ref float c0 = ref Unsafe.Add(ref c, i * n);
            ref float c1 = ref Unsafe.Add(ref c0, n);
            ref float c2 = ref Unsafe.Add(ref c1, n);
            ref float c3 = ref Unsafe.Add(ref c2, n);
            TV s0 = accumulate ? TWidth.Load<TV, T>(ref c0, columns) : T.Zero;
            TV s1 = accumulate ? TWidth.Load<TV, T>(ref c1, columns) : T.Zero;
            TV s2 = accumulate ? TWidth.Load<TV, T>(ref c2, columns) : T.Zero;
            TV s3 = accumulate ? TWidth.Load<TV, T>(ref c3, columns) : T.Zero;
            for (int p = 0; p < k; p++)
            {
                TV bp = TWidth.Load<TV, T>(ref Unsafe.Add(ref b, p * n), columns);
                ref float ap = ref Unsafe.Add(ref ai, p * acs);
                s0 = T.MultiplyAdd(T.Create(ap), bp, s0);
                s1 = T.MultiplyAdd(T.Create(Unsafe.Add(ref ap, ars)), bp, s1);
                s2 = T.MultiplyAdd(T.Create(Unsafe.Add(ref ap, 2 * ars)), bp, s2);
                s3 = T.MultiplyAdd(T.Create(Unsafe.Add(ref ap, 3 * ars)), bp, s3);
            }
            TWidth.Store<TV, T>(s0, ref c0, columns);
            TWidth.Store<TV, T>(s1, ref c1, columns);
            TWidth.Store<TV, T>(s2, ref c2, columns);
            TWidth.Store<TV, T>(s3, ref c3, columns);
        }
        for (; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * ars);
            ref float ci = ref Unsafe.Add(ref c, i * n);
            TV s = accumulate ? TWidth.Load<TV, T>(ref ci, columns) : T.Zero;
            for (int p = 0; p < k; p++)
                s = T.MultiplyAdd(T.Create(Unsafe.Add(ref ai, p * acs)), TWidth.Load<TV, T>(ref Unsafe.Add(ref b, p * n), columns), s);
            TWidth.Store<TV, T>(s, ref ci, columns);
        }
    }

    private static void MultiplyByTransposed<TV, T>(ref float a, ref float b, ref float c, int m, int n, int k, bool accumulate)
        where TV : struct where T : ISimd<TV>
    {
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * k);
            ref float ci = ref Unsafe.Add(ref c, i * n);
            for (int j = 0; j < n; j++)
            {
                float dot = VectorMath.Dot<TV, T>(ref ai, ref Unsafe.Add(ref b, j * k), k);
                Unsafe.Add(ref ci, j) = accumulate ? Unsafe.Add(ref ci, j) + dot : dot;
            }
        }
    }
}
