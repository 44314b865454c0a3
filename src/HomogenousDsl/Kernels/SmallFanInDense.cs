using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>output[b, :] = bias + Σ_i input[b, i]·W[:, i].</summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures)
    {
        var transposed = TransposeBuffer.Current(inFeatures * outFeatures);
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++)
                transposed[i * outFeatures + o] = weight[o * inFeatures + i];
        if (Vector512.IsHardwareAccelerated)
            Forward<Vector512<float>, Simd512>(transposed, bias, input, output, batch, inFeatures, outFeatures);
        else if (Vector256.IsHardwareAccelerated)
            Forward<Vector256<float>, Simd256>(transposed, bias, input, output, batch, inFeatures, outFeatures);
        else
            Forward<float, SimdScalar>(transposed, bias, input, output, batch, inFeatures, outFeatures);
    }

    /// <summary>weightGradient[o, i] += Σ_b dy[b, o]·x[b, i].</summary>
    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, int inFeatures, int outFeatures)
    {
        var transposed = TransposeBuffer.Current(inFeatures * outFeatures);
        transposed.Clear();
        // dWᵀ[i, :] += x[b, i]·dy[b, :]: register-wide AXPYs over the outputs.
        for (int b = 0; b < batch; b++)
        {
            var dy = outputAdjoint.Slice(b * outFeatures, outFeatures);
            for (int i = 0; i < inFeatures; i++)
                VectorMath.Axpy(input[b * inFeatures + i], dy, transposed.Slice(i * outFeatures, outFeatures));
        }
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++)
                weightGradient[o * inFeatures + i] += transposed[i * outFeatures + o];
    }

    private static void Forward<TV, T>(ReadOnlySpan<float> transposed, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures) where TV : struct where T : ISimd<TV>
    {
        ref float w = ref MemoryMarshal.GetReference(transposed);
        ref float b0 = ref MemoryMarshal.GetReference(bias);
        for (int b = 0; b < batch; b++)
        {
            ref float y = ref MemoryMarshal.GetReference(output.Slice(b * outFeatures, outFeatures));
            var x = input.Slice(b * inFeatures, inFeatures);
            int o = 0;
            for (; o <= outFeatures - T.Count; o += T.Count)
                T.Store(Row<TV, T>(ref w, ref b0, bias.IsEmpty, x, o, outFeatures), ref Unsafe.Add(ref y, o));
            for (; o < outFeatures; o++)
                Unsafe.Add(ref y, o) = Row<float, SimdScalar>(ref w, ref b0, bias.IsEmpty, x, o, outFeatures);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Row<TV, T>(ref float transposed, ref float bias, bool noBias, ReadOnlySpan<float> x, int o, int outFeatures)
        where TV : struct where T : ISimd<TV>
    {
        var sum = noBias ? T.Zero : T.Load(ref Unsafe.Add(ref bias, o));
        for (int i = 0; i < x.Length; i++)
            sum = T.MultiplyAdd(T.Create(x[i]), T.Load(ref Unsafe.Add(ref transposed, i * outFeatures + o)), sum);
        return sum;
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
