using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Unpadded max and average pooling over NCHW batches (PyTorch MaxPool2d / AvgPool2d). Windows may overlap.
/// Forward passes vectorize across output columns with strided loads; backward passes overwrite the input adjoint.
/// </summary>
public static class Pool2dKernel
{
    /// <summary>
    /// Overwrites output with each window's maximum and argmax with the index of the chosen element within its sample
    /// (0 .. InputSize − 1). Ties go to the first maximum in row-major window order.
    /// </summary>
    public static void MaxForward(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, int batch, Pool2dShape shape)
    {
        CheckSizes(input, output, batch, shape);
        Guard.AtLeast(argmax, (long)batch * shape.OutputSize);
        if (!Pool2dSplit.TryMaxForward(input, output, argmax, batch, shape))
            MaxForwardCore(input, output, argmax, batch, shape);
    }

    /// <summary>Max-pool forward on this thread; arguments validated.</summary>
    internal static void MaxForwardCore(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, int batch, Pool2dShape shape)
    {
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        ref int at = ref MemoryMarshal.GetReference(argmax);
        if (MaxPool2x2.HandlesForward(shape))
            MaxPool2x2.Forward(ref x, ref y, ref at, batch, shape);
        else if (Vector512.IsHardwareAccelerated && shape.OutWidth >= Vector512<float>.Count)
            MaxForward<Vector512<float>, Simd512>(ref x, ref y, ref at, batch, shape);
        else if (Vector256.IsHardwareAccelerated && shape.OutWidth >= Vector256<float>.Count)
            MaxForward<Vector256<float>, Simd256>(ref x, ref y, ref at, batch, shape);
        else
            MaxForward<float, SimdScalar>(ref x, ref y, ref at, batch, shape);
    }

    /// <summary>Overwrites inputAdjoint with zeros, then adds each outputAdjoint[j] to the element argmax[j] of its sample.</summary>
    public static void MaxBackward(ReadOnlySpan<float> outputAdjoint, ReadOnlySpan<int> argmax, Span<float> inputAdjoint, int batch, Pool2dShape shape)
    {
        CheckSizes(inputAdjoint, outputAdjoint, batch, shape);
        Guard.AtLeast(argmax, (long)batch * shape.OutputSize);
        if (MaxPool2x2.HandlesBackward(shape))
        {
            // No activation, so the pooled-output argument is never read; argmax is only compared with the four offsets.
            MaxPool2x2.Backward(ref MemoryMarshal.GetReference(outputAdjoint), ref MemoryMarshal.GetReference(argmax), ref MemoryMarshal.GetReference(outputAdjoint),
                ref MemoryMarshal.GetReference(inputAdjoint), batch, shape, ActivationEpilogue.None, 0f);
            return;
        }
        inputAdjoint[..(batch * shape.InputSize)].Clear();
        for (int n = 0; n < batch; n++)
        {
            // Indexed (bounds-checked) on purpose: the addresses come from data, and a stale argmax must not write out of bounds.
            Span<float> dx = inputAdjoint.Slice(n * shape.InputSize, shape.InputSize);
            ReadOnlySpan<float> dy = outputAdjoint.Slice(n * shape.OutputSize, shape.OutputSize);
            ReadOnlySpan<int> at = argmax.Slice(n * shape.OutputSize, shape.OutputSize);
            for (int j = 0; j < dy.Length; j++)
                dx[at[j]] += dy[j];
        }
    }

    /// <summary>
    /// Max-pool backward with the derivative of the activation before the pool folded in: the pool's input was
    /// a = act(z), with act ReLU or LeakyReLU(slope &gt; 0), and inputAdjoint receives the adjoint with respect to z, equal
    /// bit for bit to <see cref="MaxBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, Pool2dShape)"/>
    /// followed by <see cref="ActivationKernel.ReluBackward"/> or <see cref="ActivationKernel.LeakyReluBackward"/> over
    /// the whole input, but without that pass: the chosen element's sign comes from the pooled
    /// <paramref name="output"/> (a &gt; 0 ⇔ z &gt; 0 for these activations, so ReLU'(0) = 0 and LeakyReLU'(0) = slope hold).
    /// LeakyReLU needs non-overlapping windows (stride ≥ kernel).
    /// </summary>
    public static void MaxBackward(ReadOnlySpan<float> outputAdjoint, ReadOnlySpan<int> argmax, ReadOnlySpan<float> output, Span<float> inputAdjoint,
        int batch, Pool2dShape shape, ActivationEpilogue activation, float slope)
    {
        if (activation == ActivationEpilogue.None)
        {
            MaxBackward(outputAdjoint, argmax, inputAdjoint, batch, shape);
            return;
        }
        CheckSizes(inputAdjoint, outputAdjoint, batch, shape);
        Guard.AtLeast(argmax, (long)batch * shape.OutputSize);
        Guard.AtLeast(output, (long)batch * shape.OutputSize);
        Epilogue.Validate(activation);
        if (activation == ActivationEpilogue.LeakyRelu && !(slope > 0f && shape.Stride >= shape.Kernel))
            throw new ArgumentException("A LeakyReLU folded into max-pool backward needs a positive slope and non-overlapping windows.", nameof(slope));
        if (!Pool2dSplit.TryMaxBackward(outputAdjoint, argmax, output, inputAdjoint, batch, shape, activation, slope))
            MaxBackwardCore(outputAdjoint, argmax, output, inputAdjoint, batch, shape, activation, slope);
    }

    /// <summary>Max-pool backward with a folded activation on this thread; arguments validated.</summary>
    internal static void MaxBackwardCore(ReadOnlySpan<float> outputAdjoint, ReadOnlySpan<int> argmax, ReadOnlySpan<float> output, Span<float> inputAdjoint,
        int batch, Pool2dShape shape, ActivationEpilogue activation, float slope)
    {
        if (MaxPool2x2.HandlesBackward(shape))
        {
            MaxPool2x2.Backward(ref MemoryMarshal.GetReference(outputAdjoint), ref MemoryMarshal.GetReference(argmax), ref MemoryMarshal.GetReference(output),
                ref MemoryMarshal.GetReference(inputAdjoint), batch, shape, activation, slope);
            return;
        }
        inputAdjoint[..(batch * shape.InputSize)].Clear();
        bool relu = activation == ActivationEpilogue.Relu;
        for (int n = 0; n < batch; n++)
        {
            Span<float> dx = inputAdjoint.Slice(n * shape.InputSize, shape.InputSize);
            ReadOnlySpan<float> dy = outputAdjoint.Slice(n * shape.OutputSize, shape.OutputSize);
            ReadOnlySpan<float> y = output.Slice(n * shape.OutputSize, shape.OutputSize);
            ReadOnlySpan<int> at = argmax.Slice(n * shape.OutputSize, shape.OutputSize);
            if (relu)
            {
                // Overlapping windows that pick the same element share its mask, so masking each share equals masking the sum.
                for (int j = 0; j < dy.Length; j++)
                    dx[at[j]] += SimdScalar.IfGreater(y[j], 0f, dy[j], 0f);
            }
            else
            {
                // Each element is chosen at most once: the cleared zero plus the share, then scaled as LeakyReluBackward would.
                for (int j = 0; j < dy.Length; j++)
                {
                    float g = 0f + dy[j];
                    dx[at[j]] = SimdScalar.IfGreater(y[j], 0f, g, slope * g);
                }
            }
        }
    }

    /// <summary>Overwrites output with each window's mean.</summary>
    public static void AvgForward(ReadOnlySpan<float> input, Span<float> output, int batch, Pool2dShape shape)
    {
        CheckSizes(input, output, batch, shape);
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        if (Vector512.IsHardwareAccelerated && shape.OutWidth >= Vector512<float>.Count)
            AvgForward<Vector512<float>, Simd512>(ref x, ref y, batch, shape);
        else if (Vector256.IsHardwareAccelerated && shape.OutWidth >= Vector256<float>.Count)
            AvgForward<Vector256<float>, Simd256>(ref x, ref y, batch, shape);
        else
            AvgForward<float, SimdScalar>(ref x, ref y, batch, shape);
    }

    /// <summary>Overwrites inputAdjoint with zeros, then adds outputAdjoint[j] / Kernel² to every element of window j.</summary>
    public static void AvgBackward(ReadOnlySpan<float> outputAdjoint, Span<float> inputAdjoint, int batch, Pool2dShape shape)
    {
        CheckSizes(inputAdjoint, outputAdjoint, batch, shape);
        int w = shape.InWidth, k = shape.Kernel, stride = shape.Stride, outW = shape.OutWidth;
        float scale = 1f / (k * k);
        inputAdjoint[..(batch * shape.InputSize)].Clear();
        for (int plane = 0; plane < batch * shape.Channels; plane++)
        {
            Span<float> dx = inputAdjoint.Slice(plane * shape.InHeight * w, shape.InHeight * w);
            for (int oh = 0; oh < shape.OutHeight; oh++)
            {
                ReadOnlySpan<float> dy = outputAdjoint.Slice((plane * shape.OutHeight + oh) * outW, outW);
                for (int kh = 0; kh < k; kh++)
                for (int kw = 0; kw < k; kw++)
                    Strided.ScatterAdd(dy, dx[((oh * stride + kh) * w + kw)..], stride, scale);
            }
        }
    }

    // Callers pick a register no wider than a row, so a row's last register may start early and overlap the previous
    // one instead of needing a scalar tail; recomputing a window is idempotent.
    private static void MaxForward<TV, T>(ref float input, ref float output, ref int argmax, int batch, in Pool2dShape s)
        where TV : struct where T : ISimd<TV>
    {
        int w = s.InWidth, k = s.Kernel, stride = s.Stride, outH = s.OutHeight, outW = s.OutWidth, planeSize = s.InHeight * w;
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < s.Channels; c++)
        for (int oh = 0; oh < outH; oh++)
        {
            int first = c * planeSize + oh * stride * w;
            int j = ((n * s.Channels + c) * outH + oh) * outW;
            ref float top = ref Unsafe.Add(ref input, n * s.Channels * planeSize + first);
            ref float y = ref Unsafe.Add(ref output, j);
            ref int at = ref Unsafe.Add(ref argmax, j);
            for (int ow = 0; ow < outW; ow += T.Count)
                MaxWindows<TV, T>(ref top, ref y, ref at, first, Math.Min(ow, outW - T.Count), w, k, stride);
        }
    }

    // Windows ow .. ow + T.Count − 1 of one output row; lane l reads input column (ow + l)·stride + kw.
    // The winner's window offset kh·w + kw rides along in a float register and becomes an index at the store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxWindows<TV, T>(ref float top, ref float y, ref int at, int first, int ow, int w, int k, int stride)
        where TV : struct where T : ISimd<TV>
    {
        ref float corner = ref Unsafe.Add(ref top, ow * stride);
        TV best = T.LoadStrided(ref corner, stride), offset = T.Zero;
        for (int kh = 0; kh < k; kh++)
        for (int kw = kh == 0 ? 1 : 0; kw < k; kw++)
        {
            TV v = T.LoadStrided(ref Unsafe.Add(ref corner, kh * w + kw), stride);
            // Strictly greater: an equal later element never displaces the first maximum.
            offset = T.IfGreater(v, best, T.Create(kh * w + kw), offset);
            best = T.IfGreater(v, best, v, best);
        }
        T.Store(best, ref Unsafe.Add(ref y, ow));
        T.StoreIndices(offset, ref Unsafe.Add(ref at, ow), first + ow * stride, stride);
    }

    // Same row scheme as MaxForward.
    private static void AvgForward<TV, T>(ref float input, ref float output, int batch, in Pool2dShape s)
        where TV : struct where T : ISimd<TV>
    {
        int w = s.InWidth, k = s.Kernel, stride = s.Stride, outH = s.OutHeight, outW = s.OutWidth, planeSize = s.InHeight * w;
        float scale = 1f / (k * k);
        for (int plane = 0; plane < batch * s.Channels; plane++)
        for (int oh = 0; oh < outH; oh++)
        {
            ref float top = ref Unsafe.Add(ref input, plane * planeSize + oh * stride * w);
            ref float y = ref Unsafe.Add(ref output, (plane * outH + oh) * outW);
            for (int ow = 0; ow < outW; ow += T.Count)
                MeanWindows<TV, T>(ref top, ref y, Math.Min(ow, outW - T.Count), w, k, stride, scale);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MeanWindows<TV, T>(ref float top, ref float y, int ow, int w, int k, int stride, float scale)
        where TV : struct where T : ISimd<TV>
    {
        ref float corner = ref Unsafe.Add(ref top, ow * stride);
        TV sum = T.Zero;
        for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++)
            sum = T.Add(sum, T.LoadStrided(ref Unsafe.Add(ref corner, kh * w + kw), stride));
        T.Store(T.Multiply(sum, T.Create(scale)), ref Unsafe.Add(ref y, ow));
    }

    private static void CheckSizes(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int batch, in Pool2dShape shape,
        [CallerArgumentExpression(nameof(input))] string inputName = "", [CallerArgumentExpression(nameof(output))] string outputName = "")
    {
        shape.Validate();
        Guard.NonNegative(batch);
        Guard.AtLeast(input, (long)batch * shape.InputSize, inputName);
        Guard.AtLeast(output, (long)batch * shape.OutputSize, outputName);
    }
}
