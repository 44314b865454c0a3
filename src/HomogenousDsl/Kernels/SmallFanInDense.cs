using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Dense layers whose fan-in is below a register (the 2-feature first layer of the late-stage 2-100-1 workload).
/// Row dot products of length 2 would be all tail; instead each output row is Σ_i x[b, i]·W[:, i], accumulated over the
/// outputs in registers from a transposed copy of W, and the weight gradient is built transposed the same way.
/// </summary>
internal static class SmallFanInDense
{
    /// <summary>Fan-ins below this take this path.</summary>
    public const int MaxFanIn = 8;

    /// <summary>output[b, :] = act(bias + Σ_i input[b, i]·W[:, i]), the activation applied as each register is stored.</summary>
    public static void Forward<TOp>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, float slope) where TOp : IUnaryOperator
    {
        var transposed = TransposeBuffer.Current(inFeatures * outFeatures);
        Transpose(weight, transposed, outFeatures, inFeatures);
        if (Vector512.IsHardwareAccelerated)
            Forward<Vector512<float>, Simd512, TOp>(transposed, bias, input, output, batch, inFeatures, outFeatures, slope);
        else if (Vector256.IsHardwareAccelerated)
            Forward<Vector256<float>, Simd256, TOp>(transposed, bias, input, output, batch, inFeatures, outFeatures, slope);
        else
            Forward<float, SimdScalar, TOp>(transposed, bias, input, output, batch, inFeatures, outFeatures, slope);
    }

    /// <summary>weightGradient[o, i] += Σ_b dy[b, o]·x[b, i].</summary>
    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, int inFeatures, int outFeatures)
    {
        var transposed = TransposeBuffer.Current(inFeatures * outFeatures);
        if (Vector512.IsHardwareAccelerated)
            TransposedGradient<Vector512<float>, Simd512>(input, outputAdjoint, transposed, batch, inFeatures, outFeatures);
        else if (Vector256.IsHardwareAccelerated)
            TransposedGradient<Vector256<float>, Simd256>(input, outputAdjoint, transposed, batch, inFeatures, outFeatures);
        else
            TransposedGradient<float, SimdScalar>(input, outputAdjoint, transposed, batch, inFeatures, outFeatures);
        AddTransposed(transposed, weightGradient, inFeatures, outFeatures);
    }

    // dWᵀ[i, o..] = Σ_b x[b, i]·dy[b, o..], each register of outputs summed over the batch in order and stored once;
    // four registers at a time, so four independent FMA chains hide each other's latency.
    private static void TransposedGradient<TV, T>(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> transposed,
        int batch, int inFeatures, int outFeatures) where TV : struct where T : ISimd<TV>
    {
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float dy = ref MemoryMarshal.GetReference(outputAdjoint);
        ref float t = ref MemoryMarshal.GetReference(transposed);
        for (int i = 0; i < inFeatures; i++)
        {
            ref float row = ref Unsafe.Add(ref t, i * outFeatures);
            int o = 0, w = T.Count;
            for (; o <= outFeatures - 4 * w; o += 4 * w)
            {
                TV s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
                for (int b = 0; b < batch; b++)
                {
                    TV xb = T.Create(Unsafe.Add(ref x, b * inFeatures + i));
                    ref float d = ref Unsafe.Add(ref dy, b * outFeatures + o);
                    s0 = T.MultiplyAdd(xb, T.Load(ref d), s0);
                    s1 = T.MultiplyAdd(xb, T.Load(ref Unsafe.Add(ref d, w)), s1);
                    s2 = T.MultiplyAdd(xb, T.Load(ref Unsafe.Add(ref d, 2 * w)), s2);
                    s3 = T.MultiplyAdd(xb, T.Load(ref Unsafe.Add(ref d, 3 * w)), s3);
                }
                T.Store(s0, ref Unsafe.Add(ref row, o));
                T.Store(s1, ref Unsafe.Add(ref row, o + w));
                T.Store(s2, ref Unsafe.Add(ref row, o + 2 * w));
                T.Store(s3, ref Unsafe.Add(ref row, o + 3 * w));
            }
            for (; o <= outFeatures - T.Count; o += T.Count)
                BatchSum<TV, T, WholeRegister>(ref x, ref dy, ref row, batch, inFeatures, outFeatures, i, o, T.Count);
            if (o < outFeatures)
                BatchSum<TV, T, FirstLanes>(ref x, ref dy, ref row, batch, inFeatures, outFeatures, i, o, outFeatures - o);
        }
    }

    // One register (or its first `lanes`) of dWᵀ[i, o..], summed over the batch in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BatchSum<TV, T, TWidth>(ref float x, ref float dy, ref float row, int batch, int inFeatures, int outFeatures, int i, int o, int lanes)
        where TV : struct where T : ISimd<TV> where TWidth : IRegisterWidth
    {
        TV sum = T.Zero;
        for (int b = 0; b < batch; b++)
            sum = T.MultiplyAdd(T.Create(Unsafe.Add(ref x, b * inFeatures + i)), TWidth.Load<TV, T>(ref Unsafe.Add(ref dy, b * outFeatures + o), lanes), sum);
        TWidth.Store<TV, T>(sum, ref Unsafe.Add(ref row, o), lanes);
    }

    // The two feature-pair layouts of a 2-input layer ([o, i] pairs and [i, o] rows) convert 16 outputs per pair of
    // two-source permutes (AVX-512), or 8 per pair of shuffles and lane permutes (AVX2); other fan-ins move element by
    // element.
    private static readonly Vector512<int> Evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Odds = Evens + Vector512<int>.One;
    private static readonly Vector512<int> PairsLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly Vector512<int> PairsHigh = PairsLow + Vector512.Create(8);

    /// <summary>dst[c·rows + r] = src[r·columns + c] for an r × c matrix (c below a register).</summary>
    private static void Transpose(ReadOnlySpan<float> src, Span<float> dst, int rows, int columns)
    {
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int r = 0;
        if (columns == 2 && Avx512F.IsSupported)
        {
            for (; r <= rows - 16; r += 16)
            {
                var low = Vector512.LoadUnsafe(ref s, (nuint)(2 * r));
                var high = Vector512.LoadUnsafe(ref s, (nuint)(2 * r + 16));
                Avx512F.PermuteVar16x32x2(low, Evens, high).StoreUnsafe(ref d, (nuint)r);
                Avx512F.PermuteVar16x32x2(low, Odds, high).StoreUnsafe(ref d, (nuint)(rows + r));
            }
        }
        else if (columns == 2 && Avx2.IsSupported)
        {
            for (; r <= rows - 8; r += 8)
            {
                var low = Vector256.LoadUnsafe(ref s, (nuint)(2 * r));
                var high = Vector256.LoadUnsafe(ref s, (nuint)(2 * r + 8));
                // Per 128-bit lane: even (odd) entries of low then of high; the 64-bit permute puts the lanes in order.
                Avx2.Permute4x64(Avx.Shuffle(low, high, 0x88).AsDouble(), 0xD8).AsSingle().StoreUnsafe(ref d, (nuint)r);
                Avx2.Permute4x64(Avx.Shuffle(low, high, 0xDD).AsDouble(), 0xD8).AsSingle().StoreUnsafe(ref d, (nuint)(rows + r));
            }
        }
        for (; r < rows; r++)
            for (int c = 0; c < columns; c++)
                Unsafe.Add(ref d, c * rows + r) = Unsafe.Add(ref s, r * columns + c);
    }

    /// <summary>dst[o·inFeatures + i] += src[i·outFeatures + o].</summary>
    private static void AddTransposed(ReadOnlySpan<float> src, Span<float> dst, int inFeatures, int outFeatures)
    {
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int o = 0;
        if (inFeatures == 2 && Avx512F.IsSupported)
        {
            for (; o <= outFeatures - 16; o += 16)
            {
                var first = Vector512.LoadUnsafe(ref s, (nuint)o);
                var second = Vector512.LoadUnsafe(ref s, (nuint)(outFeatures + o));
                (Vector512.LoadUnsafe(ref d, (nuint)(2 * o)) + Avx512F.PermuteVar16x32x2(first, PairsLow, second)).StoreUnsafe(ref d, (nuint)(2 * o));
                (Vector512.LoadUnsafe(ref d, (nuint)(2 * o + 16)) + Avx512F.PermuteVar16x32x2(first, PairsHigh, second)).StoreUnsafe(ref d, (nuint)(2 * o + 16));
            }
        }
        else if (inFeatures == 2 && Avx2.IsSupported)
        {
            for (; o <= outFeatures - 8; o += 8)
            {
                var first = Vector256.LoadUnsafe(ref s, (nuint)o);
                var second = Vector256.LoadUnsafe(ref s, (nuint)(outFeatures + o));
                // Unpacking interleaves within 128-bit lanes (pairs 0, 1, 4, 5 and 2, 3, 6, 7); lane permutes restore the order.
                var pairs03 = Avx.UnpackLow(first, second);
                var pairs47 = Avx.UnpackHigh(first, second);
                (Vector256.LoadUnsafe(ref d, (nuint)(2 * o)) + Avx.Permute2x128(pairs03, pairs47, 0x20)).StoreUnsafe(ref d, (nuint)(2 * o));
                (Vector256.LoadUnsafe(ref d, (nuint)(2 * o + 8)) + Avx.Permute2x128(pairs03, pairs47, 0x31)).StoreUnsafe(ref d, (nuint)(2 * o + 8));
            }
        }
        for (; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++)
                Unsafe.Add(ref d, o * inFeatures + i) += Unsafe.Add(ref s, i * outFeatures + o);
    }

    private static void Forward<TV, T, TOp>(ReadOnlySpan<float> transposed, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, float slope) where TV : struct where T : ISimd<TV> where TOp : IUnaryOperator
    {
        TV p = T.Create(slope);
        ref float w = ref MemoryMarshal.GetReference(transposed);
        ref float b0 = ref MemoryMarshal.GetReference(bias);
        for (int b = 0; b < batch; b++)
        {
            ref float y = ref MemoryMarshal.GetReference(output.Slice(b * outFeatures, outFeatures));
            var x = input.Slice(b * inFeatures, inFeatures);
            int o = 0;
            for (; o <= outFeatures - T.Count; o += T.Count)
                Row<TV, T, TOp, WholeRegister>(ref w, ref b0, bias.IsEmpty, x, ref y, o, outFeatures, p, T.Count);
            if (o < outFeatures)
                Row<TV, T, TOp, FirstLanes>(ref w, ref b0, bias.IsEmpty, x, ref y, o, outFeatures, p, outFeatures - o);
        }
    }

    // One register (or its first `lanes`) of a sample's outputs: y[o..] = act(bias[o..] + Σ_i x[i]·Wᵀ[i, o..]).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TV, T, TOp, TWidth>(ref float transposed, ref float bias, bool noBias, ReadOnlySpan<float> x, ref float y, int o,
        int outFeatures, TV slope, int lanes) where TV : struct where T : ISimd<TV> where TOp : IUnaryOperator where TWidth : IRegisterWidth
    {
        var sum = noBias ? T.Zero : TWidth.Load<TV, T>(ref Unsafe.Add(ref bias, o), lanes);
        for (int i = 0; i < x.Length; i++)
            sum = T.MultiplyAdd(T.Create(x[i]), TWidth.Load<TV, T>(ref Unsafe.Add(ref transposed, i * outFeatures + o), lanes), sum);
        TWidth.Store<TV, T>(TOp.Invoke<TV, T>(sum, slope), ref Unsafe.Add(ref y, o), lanes);
    }

    /// <summary>A per-thread buffer for the transposed weights; grows once, then never allocates.</summary>
    private static class TransposeBuffer
    {
        [ThreadStatic] private static float[]? t_buffer;

        public static Span<float> Current(int length)
        {
            if (t_buffer is null || t_buffer.Length < length)
                t_buffer = new float[length];
            return t_buffer.AsSpan(0, length);
        }
    }
}
