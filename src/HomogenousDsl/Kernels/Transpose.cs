using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>Register transposes: for packing transposed operands and for epilogues of products computed transposed.</summary>
internal static unsafe class Transpose
{
    /// <summary>
    /// destination[j·ldd + i] = act(bias[i] (or 0) + source[i·columns + j]) for a rows × columns source, act being
    /// <typeparamref name="TOp"/> with parameter <paramref name="slope"/>: whole 16×16 blocks in registers, the ragged
    /// edges element by element. <paramref name="ldd"/> ≥ rows lets a thread fill its columns of a wider destination.
    /// With <paramref name="alongDestination"/>, each band of 16 destination rows is written end to end before the
    /// next: for a destination that is not in L2 (a whole-set evaluation's activations), whose rows are then 16
    /// sequential streams the prefetchers follow rather than one new line of every row per block (W5: the transposed
    /// store 8% → 4.5% of the evaluation).
    /// </summary>
    public static void AddBias<TOp>(float* source, int columns, int rows, float* bias, float* destination, int ldd, float slope,
        bool alongDestination = false) where TOp : IUnaryOperator
    {
        // A 16 × 16 block stores 16 destination rows. When they lie a multiple of 4 KB apart (1,024 outputs a sample)
        // they all fall in one L1 set, which holds 12 lines: the stores evict each other (0.81 ns a float at W3's shape
        // against 0.14 with the rows 64 bytes further apart). Blocks of 8 destination rows fit the set (0.46 ns).
        bool aliased = (ldd & 1023) == 0;
        int width = aliased ? 8 : 16;
        int fullRows = rows & ~15, fullColumns = columns / width * width;
        if (alongDestination && !aliased)
        {
            for (int j0 = 0; j0 < fullColumns; j0 += 16)
            for (int i0 = 0; i0 < fullRows; i0 += 16)
                Block16<TOp>(source + (long)i0 * columns + j0, columns, destination + (long)j0 * ldd + i0, ldd, bias == null ? null : bias + i0, slope);
        }
        else
        {
            for (int i0 = 0; i0 < fullRows; i0 += 16)
            {
                float* b = bias == null ? null : bias + i0;
                for (int j0 = 0; j0 < fullColumns; j0 += width)
                {
                    if (aliased)
                        Block16x8<TOp>(source + (long)i0 * columns + j0, columns, destination + (long)j0 * ldd + i0, ldd, b, slope);
                    else
                        Block16<TOp>(source + (long)i0 * columns + j0, columns, destination + (long)j0 * ldd + i0, ldd, b, slope);
                }
            }
        }
        for (int j = 0; j < columns; j++)
        {
            float* d = destination + (long)j * ldd;
            int iStart = j < fullColumns ? fullRows : 0;
            for (int i = iStart; i < rows; i++)
                d[i] = TOp.Invoke<float, SimdScalar>((bias == null ? 0f : bias[i]) + source[(long)i * columns + j], slope);
        }
    }

    /// <summary>
    /// d[q·ldd + j] = s[j·stride + q] (+ bias[j]) for q, j &lt; 16: unpack 32-bit, unpack 64-bit, then two rounds of
    /// 128-bit lane shuffles; 64 shuffles per 256 floats, all in registers.
    /// </summary>
    public static void Block16(float* s, int stride, float* d, int ldd, float* bias) => Block16<Epilogue.None>(s, stride, d, ldd, bias, 0f);

    /// <summary>As <see cref="Block16(float*, int, float*, int, float*)"/>, then <typeparamref name="TOp"/> on each stored register.</summary>
    public static void Block16<TOp>(float* s, int stride, float* d, int ldd, float* bias, float slope) where TOp : IUnaryOperator
    {
        if (Vector512.IsHardwareAccelerated)
            Block16Wide<TOp>(s, stride, d, ldd, bias, slope);
        else
            Block16Narrow<TOp>(s, stride, d, ldd, bias, slope);
    }

    /// <summary><see cref="Block16{TOp}"/> as four 8 × 8 transposes in 256-bit registers.</summary>
    internal static void Block16Narrow<TOp>(float* s, int stride, float* d, int ldd, float* bias, float slope) where TOp : IUnaryOperator
    {
        Block16x8Narrow<TOp>(s, stride, d, ldd, bias, slope);
        Block16x8Narrow<TOp>(s + 8, stride, d + 8 * ldd, ldd, bias, slope);
    }

    // Block16x8 in 256-bit registers.
    private static void Block16x8Narrow<TOp>(float* s, int stride, float* d, int ldd, float* bias, float slope) where TOp : IUnaryOperator
    {
        Vector256<float> p = Vector256.Create(slope);
        Quadrant<TOp>(s, stride, d, ldd, bias == null ? Vector256<float>.Zero : Avx.LoadVector256(bias), p);
        Quadrant<TOp>(s + 8 * stride, stride, d + 8, ldd, bias == null ? Vector256<float>.Zero : Avx.LoadVector256(bias + 8), p);
    }

    // d[q·ldd + j] = act(s[j·stride + q] + bias[j]) for q, j < 8.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quadrant<TOp>(float* s, int stride, float* d, int ldd, Vector256<float> bias, Vector256<float> slope) where TOp : IUnaryOperator
    {
        Transpose8(s, stride, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        Avx.Store(d, TOp.Invoke<Vector256<float>, Simd256>(o0 + bias, slope));
        Avx.Store(d + ldd, TOp.Invoke<Vector256<float>, Simd256>(o1 + bias, slope));
        Avx.Store(d + 2 * ldd, TOp.Invoke<Vector256<float>, Simd256>(o2 + bias, slope));
        Avx.Store(d + 3 * ldd, TOp.Invoke<Vector256<float>, Simd256>(o3 + bias, slope));
        Avx.Store(d + 4 * ldd, TOp.Invoke<Vector256<float>, Simd256>(o4 + bias, slope));
        Avx.Store(d + 5 * ldd, TOp.Invoke<Vector256<float>, Simd256>(o5 + bias, slope));
        Avx.Store(d + 6 * ldd, TOp.Invoke<Vector256<float>, Simd256>(o6 + bias, slope));
        Avx.Store(d + 7 * ldd, TOp.Invoke<Vector256<float>, Simd256>(o7 + bias, slope));
    }

    /// <summary><see cref="Block16{TOp}"/> in 512-bit registers.</summary>
    internal static void Block16Wide<TOp>(float* s, int stride, float* d, int ldd, float* bias, float slope) where TOp : IUnaryOperator
    {
        Vector512<float> t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15;
        {
            Vector512<float> r0 = Avx512F.LoadVector512(s), r1 = Avx512F.LoadVector512(s + stride);
            Vector512<float> r2 = Avx512F.LoadVector512(s + 2 * stride), r3 = Avx512F.LoadVector512(s + 3 * stride);
            Vector512<float> u0 = Avx512F.UnpackLow(r0, r1), u1 = Avx512F.UnpackHigh(r0, r1), u2 = Avx512F.UnpackLow(r2, r3), u3 = Avx512F.UnpackHigh(r2, r3);
            t0 = Avx512F.UnpackLow(u0.AsDouble(), u2.AsDouble()).AsSingle(); t1 = Avx512F.UnpackHigh(u0.AsDouble(), u2.AsDouble()).AsSingle();
            t2 = Avx512F.UnpackLow(u1.AsDouble(), u3.AsDouble()).AsSingle(); t3 = Avx512F.UnpackHigh(u1.AsDouble(), u3.AsDouble()).AsSingle();
        }
        {
            float* q = s + 4 * stride;
            Vector512<float> r0 = Avx512F.LoadVector512(q), r1 = Avx512F.LoadVector512(q + stride);
            Vector512<float> r2 = Avx512F.LoadVector512(q + 2 * stride), r3 = Avx512F.LoadVector512(q + 3 * stride);
            Vector512<float> u0 = Avx512F.UnpackLow(r0, r1), u1 = Avx512F.UnpackHigh(r0, r1), u2 = Avx512F.UnpackLow(r2, r3), u3 = Avx512F.UnpackHigh(r2, r3);
            t4 = Avx512F.UnpackLow(u0.AsDouble(), u2.AsDouble()).AsSingle(); t5 = Avx512F.UnpackHigh(u0.AsDouble(), u2.AsDouble()).AsSingle();
            t6 = Avx512F.UnpackLow(u1.AsDouble(), u3.AsDouble()).AsSingle(); t7 = Avx512F.UnpackHigh(u1.AsDouble(), u3.AsDouble()).AsSingle();
        }
        {
            float* q = s + 8 * stride;
            Vector512<float> r0 = Avx512F.LoadVector512(q), r1 = Avx512F.LoadVector512(q + stride);
            Vector512<float> r2 = Avx512F.LoadVector512(q + 2 * stride), r3 = Avx512F.LoadVector512(q + 3 * stride);
            Vector512<float> u0 = Avx512F.UnpackLow(r0, r1), u1 = Avx512F.UnpackHigh(r0, r1), u2 = Avx512F.UnpackLow(r2, r3), u3 = Avx512F.UnpackHigh(r2, r3);
            t8 = Avx512F.UnpackLow(u0.AsDouble(), u2.AsDouble()).AsSingle(); t9 = Avx512F.UnpackHigh(u0.AsDouble(), u2.AsDouble()).AsSingle();
            t10 = Avx512F.UnpackLow(u1.AsDouble(), u3.AsDouble()).AsSingle(); t11 = Avx512F.UnpackHigh(u1.AsDouble(), u3.AsDouble()).AsSingle();
        }
        {
            float* q = s + 12 * stride;
            Vector512<float> r0 = Avx512F.LoadVector512(q), r1 = Avx512F.LoadVector512(q + stride);
            Vector512<float> r2 = Avx512F.LoadVector512(q + 2 * stride), r3 = Avx512F.LoadVector512(q + 3 * stride);
            Vector512<float> u0 = Avx512F.UnpackLow(r0, r1), u1 = Avx512F.UnpackHigh(r0, r1), u2 = Avx512F.UnpackLow(r2, r3), u3 = Avx512F.UnpackHigh(r2, r3);
            t12 = Avx512F.UnpackLow(u0.AsDouble(), u2.AsDouble()).AsSingle(); t13 = Avx512F.UnpackHigh(u0.AsDouble(), u2.AsDouble()).AsSingle();
            t14 = Avx512F.UnpackLow(u1.AsDouble(), u3.AsDouble()).AsSingle(); t15 = Avx512F.UnpackHigh(u1.AsDouble(), u3.AsDouble()).AsSingle();
        }
        // t(4i + m), 128-bit lane L, now holds source column 4L + m of rows 4i..4i+3.
        Vector512<float> b = bias == null ? Vector512<float>.Zero : Avx512F.LoadVector512(bias), p = Vector512.Create(slope);
        Finish<TOp>(t0, t4, t8, t12, d, ldd, b, p);
        Finish<TOp>(t1, t5, t9, t13, d + ldd, ldd, b, p);
        Finish<TOp>(t2, t6, t10, t14, d + 2 * ldd, ldd, b, p);
        Finish<TOp>(t3, t7, t11, t15, d + 3 * ldd, ldd, b, p);
    }

    /// <summary>
    /// d[q·ldd + j] = act(s[j·stride + q] + bias[j]) for q &lt; 8, j &lt; 16: sixteen source rows of eight floats into eight
    /// destination rows of sixteen, as two 8 × 8 register transposes.
    /// </summary>
    private static void Block16x8<TOp>(float* s, int stride, float* d, int ldd, float* bias, float slope) where TOp : IUnaryOperator
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            Block16x8Narrow<TOp>(s, stride, d, ldd, bias, slope);
            return;
        }
        Transpose8(s, stride, out var a0, out var a1, out var a2, out var a3, out var a4, out var a5, out var a6, out var a7);
        Transpose8(s + 8 * stride, stride, out var b0, out var b1, out var b2, out var b3, out var b4, out var b5, out var b6, out var b7);
        Vector512<float> bv = bias == null ? Vector512<float>.Zero : Avx512F.LoadVector512(bias), p = Vector512.Create(slope);
        Avx512F.Store(d, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a0, b0) + bv, p));
        Avx512F.Store(d + ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a1, b1) + bv, p));
        Avx512F.Store(d + 2 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a2, b2) + bv, p));
        Avx512F.Store(d + 3 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a3, b3) + bv, p));
        Avx512F.Store(d + 4 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a4, b4) + bv, p));
        Avx512F.Store(d + 5 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a5, b5) + bv, p));
        Avx512F.Store(d + 6 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a6, b6) + bv, p));
        Avx512F.Store(d + 7 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Vector512.Create(a7, b7) + bv, p));
    }

    // The 8 × 8 transpose of Block8, kept in registers: o_q holds source column q.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* s, int stride, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
        out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + stride), r2 = Avx.LoadVector256(s + 2 * stride), r3 = Avx.LoadVector256(s + 3 * stride);
        Vector256<float> r4 = Avx.LoadVector256(s + 4 * stride), r5 = Avx.LoadVector256(s + 5 * stride), r6 = Avx.LoadVector256(s + 6 * stride), r7 = Avx.LoadVector256(s + 7 * stride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(s0, s4, 0x20);
        o1 = Avx.Permute2x128(s1, s5, 0x20);
        o2 = Avx.Permute2x128(s2, s6, 0x20);
        o3 = Avx.Permute2x128(s3, s7, 0x20);
        o4 = Avx.Permute2x128(s0, s4, 0x31);
        o5 = Avx.Permute2x128(s1, s5, 0x31);
        o6 = Avx.Permute2x128(s2, s6, 0x31);
        o7 = Avx.Permute2x128(s3, s7, 0x31);
    }

    /// <summary>d[q·ldd + j] = s[j·stride + q] for q, j &lt; 8, in 256-bit registers (24 shuffles per 64 floats).</summary>
    public static void Block8(float* s, int stride, float* d, int ldd)
    {
        Transpose8(s, stride, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        Avx.Store(d, o0);
        Avx.Store(d + ldd, o1);
        Avx.Store(d + 2 * ldd, o2);
        Avx.Store(d + 3 * ldd, o3);
        Avx.Store(d + 4 * ldd, o4);
        Avx.Store(d + 5 * ldd, o5);
        Avx.Store(d + 6 * ldd, o6);
        Avx.Store(d + 7 * ldd, o7);
    }

    // Output rows m, 4 + m, 8 + m, 12 + m from the four registers that hold column m of each lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOp>(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> e, float* d, int ldd,
        Vector512<float> bias, Vector512<float> slope) where TOp : IUnaryOperator
    {
        Vector512<float> x0 = Avx512F.Shuffle4x128(a, b, 0x44), x1 = Avx512F.Shuffle4x128(a, b, 0xEE);
        Vector512<float> y0 = Avx512F.Shuffle4x128(c, e, 0x44), y1 = Avx512F.Shuffle4x128(c, e, 0xEE);
        Avx512F.Store(d, TOp.Invoke<Vector512<float>, Simd512>(Avx512F.Shuffle4x128(x0, y0, 0x88) + bias, slope));
        Avx512F.Store(d + 4 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Avx512F.Shuffle4x128(x0, y0, 0xDD) + bias, slope));
        Avx512F.Store(d + 8 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Avx512F.Shuffle4x128(x1, y1, 0x88) + bias, slope));
        Avx512F.Store(d + 12 * ldd, TOp.Invoke<Vector512<float>, Simd512>(Avx512F.Shuffle4x128(x1, y1, 0xDD) + bias, slope));
    }
}
