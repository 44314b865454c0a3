using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Max pooling with 2×2 windows and stride 2, the CNN case, without gathers: a row pair is read with contiguous loads
/// and split into even and odd columns by one permute. Results equal <see cref="Pool2dKernel"/>'s general path bit for
/// bit (same comparisons in the same row-major order, the first maximum wins).
/// </summary>
internal static class MaxPool2x2
{
    /// <summary>Whether <see cref="Forward"/> handles the shape on this machine.</summary>
    public static bool HandlesForward(in Pool2dShape s) => s.Kernel == 2 && s.Stride == 2 && s.OutWidth >= 4 && Avx2.IsSupported;

    /// <summary>Whether <see cref="Backward"/> handles the shape: windows must tile the input exactly, so every input element is written.</summary>
    public static bool HandlesBackward(in Pool2dShape s) => HandlesForward(s) && s.InWidth == 2 * s.OutWidth && s.InHeight == 2 * s.OutHeight;

    public static void Forward(ref float input, ref float output, ref int argmax, int batch, in Pool2dShape s)
    {
        int w = s.InWidth, outH = s.OutHeight, outW = s.OutWidth, planeSize = s.InHeight * w;
        bool wide = Avx512F.IsSupported && outW >= 8;
        int chunk = wide ? 8 : 4;
        for (int plane = 0; plane < batch * s.Channels; plane++)
        for (int oh = 0; oh < outH; oh++)
        {
            // first: the window row's start within its sample, the origin of argmax.
            int first = plane % s.Channels * planeSize + 2 * oh * w;
            ref float top = ref Unsafe.Add(ref input, plane * planeSize + 2 * oh * w);
            int j = (plane * outH + oh) * outW;
            // The last chunk may start early and overlap the previous one; recomputing a window is idempotent.
            for (int ow = 0; ow < outW; ow += chunk)
            {
                int at = Math.Min(ow, outW - chunk);
                if (wide)
                    Forward8(ref top, ref Unsafe.Add(ref output, j + at), ref Unsafe.Add(ref argmax, j + at), first, at, w);
                else
                    Forward4(ref top, ref Unsafe.Add(ref output, j + at), ref Unsafe.Add(ref argmax, j + at), first, at, w);
            }
        }
    }

    /// <summary>
    /// Overwrites inputAdjoint: the winner of window j gets 0 + g_j, every other element +0, where g_j is outputAdjoint[j]
    /// masked or scaled by the folded activation's derivative (read from the pooled output's sign), as the general path.
    /// </summary>
    public static void Backward(ref float outputAdjoint, ref int argmax, ref float output, ref float inputAdjoint, int batch, in Pool2dShape s,
        ActivationEpilogue activation, float slope)
    {
        int w = s.InWidth, outH = s.OutHeight, outW = s.OutWidth, planeSize = s.InHeight * w;
        bool wide = Avx512F.IsSupported && outW >= 8;
        int chunk = wide ? 8 : 4;
        for (int plane = 0; plane < batch * s.Channels; plane++)
        for (int oh = 0; oh < outH; oh++)
        {
            int first = plane % s.Channels * planeSize + 2 * oh * w;
            ref float top = ref Unsafe.Add(ref inputAdjoint, plane * planeSize + 2 * oh * w);
            int j = (plane * outH + oh) * outW;
            for (int ow = 0; ow < outW; ow += chunk)
            {
                int at = Math.Min(ow, outW - chunk);
                // Four-window chunks run in the low half of the same 256-bit registers; the high lanes are ignored.
                var dy = wide ? Vector256.LoadUnsafe(ref outputAdjoint, (nuint)(j + at)) : Vector128.LoadUnsafe(ref outputAdjoint, (nuint)(j + at)).ToVector256Unsafe();
                var y = wide ? Vector256.LoadUnsafe(ref output, (nuint)(j + at)) : Vector128.LoadUnsafe(ref output, (nuint)(j + at)).ToVector256Unsafe();
                var chosen = wide ? Vector256.LoadUnsafe(ref argmax, (nuint)(j + at)) : Vector128.LoadUnsafe(ref argmax, (nuint)(j + at)).ToVector256Unsafe();
                var (a, b, c, d) = Route(Share(dy, y, activation, slope), chosen - (Vector256.Create(first + 2 * at) + Vector256<int>.Indices * 2), w);
                if (wide)
                    Interleave8(a, b, c, d, ref Unsafe.Add(ref top, 2 * at), w);
                else
                    Interleave4(a.GetLower(), b.GetLower(), c.GetLower(), d.GetLower(), ref Unsafe.Add(ref top, 2 * at), w);
            }
        }
    }

    // Eight windows from 16 columns of two rows: lanes 0–7 of a permuted row are its even columns, 8–15 its odd ones.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward8(ref float top, ref float y, ref int argmax, int first, int ow, int w)
    {
        var split = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        var upper = Avx512F.PermuteVar16x32(Vector512.LoadUnsafe(ref top, (nuint)(2 * ow)), split);
        var lower = Avx512F.PermuteVar16x32(Vector512.LoadUnsafe(ref top, (nuint)(w + 2 * ow)), split);
        var (best, offset) = Winner(upper.GetLower(), upper.GetUpper(), lower.GetLower(), lower.GetUpper(), w);
        best.StoreUnsafe(ref y);
        (offset + Vector256.Create(first + 2 * ow) + Vector256<int>.Indices * 2).StoreUnsafe(ref argmax);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward4(ref float top, ref float y, ref int argmax, int first, int ow, int w)
    {
        var split = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        var upper = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref top, (nuint)(2 * ow)), split);
        var lower = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref top, (nuint)(w + 2 * ow)), split);
        var (best, offset) = Winner(upper.GetLower().ToVector256Unsafe(), upper.GetUpper().ToVector256Unsafe(),
            lower.GetLower().ToVector256Unsafe(), lower.GetUpper().ToVector256Unsafe(), w);
        best.GetLower().StoreUnsafe(ref y);
        (offset.GetLower() + Vector128.Create(first + 2 * ow) + Vector128<int>.Indices * 2).StoreUnsafe(ref argmax);
    }

    // Strictly greater, in row-major order: an equal later element never displaces the first maximum.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Best, Vector256<int> Offset) Winner(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, int w)
    {
        Vector256<float> best = a;
        Vector256<int> offset = Vector256<int>.Zero;
        Pick(ref best, ref offset, b, Vector256.Create(1));
        Pick(ref best, ref offset, c, Vector256.Create(w));
        Pick(ref best, ref offset, d, Vector256.Create(w + 1));
        return (best, offset);

        static void Pick(ref Vector256<float> best, ref Vector256<int> offset, Vector256<float> candidate, Vector256<int> at)
        {
            var greater = Vector256.GreaterThan(candidate, best);
            offset = Vector256.ConditionalSelect(greater.AsInt32(), at, offset);
            best = Vector256.ConditionalSelect(greater, candidate, best);
        }
    }

    // The general path adds the masked share to a cleared element; 0 + share turns −0 into +0 the same way here.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Share(Vector256<float> dy, Vector256<float> y, ActivationEpilogue activation, float slope) => activation switch
    {
        ActivationEpilogue.Relu => Vector256<float>.Zero + Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero),
        ActivationEpilogue.LeakyRelu => Leaky(Vector256<float>.Zero + dy, y, slope),
        _ => Vector256<float>.Zero + dy,
    };

    private static Vector256<float> Leaky(Vector256<float> g, Vector256<float> y, float slope)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), g, g * Vector256.Create(slope));

    // Each window's share goes to the element its offset names (0, 1, w, w + 1) and +0 to the other three; an offset
    // that names none (a stale argmax) writes zeros only, never outside the window.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> A, Vector256<float> B, Vector256<float> C, Vector256<float> D) Route(Vector256<float> g, Vector256<int> offset, int w)
    {
        var zero = Vector256<float>.Zero;
        return (Vector256.ConditionalSelect(Vector256.Equals(offset, Vector256<int>.Zero).AsSingle(), g, zero),
            Vector256.ConditionalSelect(Vector256.Equals(offset, Vector256.Create(1)).AsSingle(), g, zero),
            Vector256.ConditionalSelect(Vector256.Equals(offset, Vector256.Create(w)).AsSingle(), g, zero),
            Vector256.ConditionalSelect(Vector256.Equals(offset, Vector256.Create(w + 1)).AsSingle(), g, zero));
    }

    // Top-left and top-right shares interleave into the top row, the bottom ones into the row below.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave8(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, ref float top, int w)
    {
        var join = Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
        Avx512F.PermuteVar16x32(Vector512.Create(a, b), join).StoreUnsafe(ref top);
        Avx512F.PermuteVar16x32(Vector512.Create(c, d), join).StoreUnsafe(ref Unsafe.Add(ref top, w));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d, ref float top, int w)
    {
        var join = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        Avx2.PermuteVar8x32(Vector256.Create(a, b), join).StoreUnsafe(ref top);
        Avx2.PermuteVar8x32(Vector256.Create(c, d), join).StoreUnsafe(ref Unsafe.Add(ref top, w));
    }
}
