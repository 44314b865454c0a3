using System.Runtime.CompilerServices;

namespace HomogenousDsl.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, PyTorch Conv2d) over NCHW batches, lowered per sample to im2col plus a matrix product.
/// Weight is [OutChannels, InChannels, Kernel, Kernel], i.e. a row-major OutChannels × PatchSize matrix.
/// </summary>
public static class Conv2dKernel
{
    /// <summary>
    /// Floats of scratch that the Forward and Backward overloads need: one column matrix
    /// (PatchSize × OutHeight·OutWidth) and one more for its adjoint; zero for a pointwise (1×1, stride 1, unpadded) shape.
    /// </summary>
    public static int ScratchSize(Conv2dShape shape)
    {
        shape.Validate();
        return shape.IsPointwise ? 0 : 2 * ColumnSize(shape);
    }

    /// <summary>
    /// Overwrites output[n, o, oh, ow] with bias[o] + Σ_{c,kh,kw} weight[o, c, kh, kw]·x[n, c, oh·S − P + kh, ow·S − P + kw];
    /// an empty bias means none. <paramref name="scratch"/> needs <see cref="ScratchSize"/> floats.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, Conv2dShape shape, Span<float> scratch)
        => Forward(weight, bias, input, output, batch, shape, scratch, ActivationEpilogue.None, 0f);

    /// <summary>
    /// As <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, Conv2dShape, Span{float})"/>,
    /// then <paramref name="activation"/> (with <paramref name="slope"/> for LeakyReLU) applied as the output is stored:
    /// the result equals the plain forward followed by the matching <see cref="ActivationKernel"/> function, bit for bit,
    /// without a second pass over the output and without storing the pre-activation.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, Conv2dShape shape, Span<float> scratch, ActivationEpilogue activation, float slope)
    {
        CheckSizes(weight, input, output, batch, shape, scratch);
        if (!bias.IsEmpty)
            Guard.AtLeast(bias, shape.OutChannels);
        Epilogue.Validate(activation);
        if (!Conv2dSplit.TryForward(weight, bias, input, output, batch, shape, scratch, activation, slope))
            ForwardCore(weight, bias, input, output, batch, shape, scratch, activation, slope);
    }

    /// <summary>The forward pass on this thread; arguments validated.</summary>
    internal static void ForwardCore(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, Conv2dShape shape, Span<float> scratch, ActivationEpilogue activation, float slope)
    {
        int pixels = shape.OutPixels;
        if (ConvDirect.IsWorthwhile(batch, shape))
        {
            ConvDirect.Forward(weight, bias, input, output, batch, shape, activation, slope);
            return;
        }
        if (PackedGemm.IsWorthwhile(shape.OutChannels, batch * pixels, shape.PatchSize))
        {
            if (ConvPlanes.Applies(shape))
                ConvPlanes.Forward(weight, bias, input, output, batch, shape, activation, slope);
            else
                ConvGemm.Forward(weight, bias, input, output, batch, shape, activation, slope);
            return;
        }
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> x = input.Slice(n * shape.InputSize, shape.InputSize);
            Span<float> y = output.Slice(n * shape.OutputSize, shape.OutputSize);
            ReadOnlySpan<float> col = shape.IsPointwise ? x : Lower(x, scratch, shape);
            for (int o = 0; o < shape.OutChannels; o++)
                y.Slice(o * pixels, pixels).Fill(bias.IsEmpty ? 0f : bias[o]);
            Gemm.Multiply(weight, shape.PatchSize, 1, col, y, shape.OutChannels, pixels, shape.PatchSize, accumulate: true);
        }
        Epilogue.ApplyInPlace(output[..(batch * shape.OutputSize)], activation, slope);
    }

    /// <summary>
    /// Accumulates weightGradient += Σ_n dy·colᵀ and, when non-empty, biasGradient[o] += Σ_{n,oh,ow} dy[n, o, oh, ow].
    /// When non-empty, overwrites inputAdjoint with col2im(weightᵀ·dy); the first layer passes an empty span.
    /// <paramref name="scratch"/> needs <see cref="ScratchSize"/> floats.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, Conv2dShape shape, Span<float> scratch)
        => Backward(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, shape, scratch, GradientWrite.Accumulate);

    /// <summary>
    /// As the accumulating overload, but with <see cref="GradientWrite.Overwrite"/> the weight and bias gradients are
    /// stored rather than added (their previous contents are ignored).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, Conv2dShape shape, Span<float> scratch, GradientWrite write)
    {
        CheckSizes(weight, input, outputAdjoint, batch, shape, scratch);
        Guard.AtLeast(weightGradient, shape.WeightSize);
        if (!biasGradient.IsEmpty)
            Guard.AtLeast(biasGradient, shape.OutChannels);
        if (!inputAdjoint.IsEmpty)
            Guard.AtLeast(inputAdjoint, (long)batch * shape.InputSize);
        if (!Conv2dSplit.TryBackward(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, shape, scratch, write))
            BackwardCore(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, shape, scratch, write);
        // The weights' last read in this pass: an update taken layer by layer may change them now.
        LayerUpdate.Done(weight[..shape.WeightSize], weightGradient[..shape.WeightSize]);
    }

    /// <summary>The backward pass on this thread; arguments validated.</summary>
    internal static void BackwardCore(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, Conv2dShape shape, Span<float> scratch, GradientWrite write)
    {
        // Convolution weights are small next to their products: clearing them costs nothing measurable.
        if (write == GradientWrite.Overwrite)
        {
            weightGradient[..shape.WeightSize].Clear();
            if (!biasGradient.IsEmpty)
                biasGradient[..shape.OutChannels].Clear();
        }
        int pixels = shape.OutPixels, patch = shape.PatchSize;
        if (!biasGradient.IsEmpty)
        {
            for (int n = 0; n < batch; n++)
            for (int o = 0; o < shape.OutChannels; o++)
                biasGradient[o] += VectorMath.Sum(outputAdjoint.Slice(n * shape.OutputSize + o * pixels, pixels));
        }

        // Each product takes the packed GEMM when it is large enough; whatever remains runs per sample below.
        bool direct = ConvDirect.IsWorthwhile(batch, shape);
        bool weightDone = direct || PackedGemm.IsWorthwhile(patch, shape.OutChannels, batch * pixels);
        if (direct)
            ConvDirect.WeightGradient(input, outputAdjoint, weightGradient, batch, shape);
        else if (weightDone && ConvPlanes.Applies(shape))
            ConvPlanes.WeightGradient(input, outputAdjoint, weightGradient, batch, shape);
        else if (weightDone)
            ConvGemm.WeightGradient(input, outputAdjoint, weightGradient, batch, shape);
        bool inputDone = inputAdjoint.IsEmpty;
        if (!inputDone && ConvGemm.AdjointIsConvolution(shape)
            && PackedGemm.IsWorthwhile(shape.InChannels, batch * shape.InHeight * shape.InWidth, ConvGemm.AdjointShape(shape).PatchSize))
        {
            if (ConvPlanes.Applies(ConvGemm.AdjointShape(shape)))
                ConvPlanes.InputAdjoint(weight, outputAdjoint, inputAdjoint, batch, shape);
            else
                ConvGemm.InputAdjoint(weight, outputAdjoint, inputAdjoint, batch, shape);
            inputDone = true;
        }
        if (weightDone && inputDone)
            return;

        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> x = input.Slice(n * shape.InputSize, shape.InputSize);
            ReadOnlySpan<float> dy = outputAdjoint.Slice(n * shape.OutputSize, shape.OutputSize);
            ReadOnlySpan<float> col = shape.IsPointwise || weightDone ? x : Lower(x, scratch, shape);
            if (!weightDone)
                Gemm.MultiplyByTransposed(dy, col, weightGradient, shape.OutChannels, patch, pixels, accumulate: true);
            if (inputDone)
                continue;
            Span<float> dx = inputAdjoint.Slice(n * shape.InputSize, shape.InputSize);
            // dcol = weightᵀ·dy, reading weight transposed through the strides (row stride 1, column stride PatchSize).
            if (shape.IsPointwise)
            {
                Gemm.Multiply(weight, 1, patch, dy, dx, patch, pixels, shape.OutChannels, accumulate: false);
                continue;
            }
            Span<float> dcol = scratch.Slice(ColumnSize(shape), ColumnSize(shape));
            Gemm.Multiply(weight, 1, patch, dy, dcol, patch, pixels, shape.OutChannels, accumulate: false);
            ConvLowering.Col2Im(dcol, dx, shape);
        }
    }

    private static int ColumnSize(in Conv2dShape shape) => shape.PatchSize * shape.OutPixels;

    private static ReadOnlySpan<float> Lower(ReadOnlySpan<float> x, Span<float> scratch, in Conv2dShape shape)
    {
        Span<float> col = scratch[..ColumnSize(shape)];
        ConvLowering.Im2Col(x, col, shape);
        return col;
    }

    private static void CheckSizes(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        int batch, in Conv2dShape shape, ReadOnlySpan<float> scratch, [CallerArgumentExpression(nameof(output))] string outputName = "")
    {
        shape.Validate();
        Guard.NonNegative(batch);
        Guard.AtLeast(weight, shape.WeightSize);
        Guard.AtLeast(input, (long)batch * shape.InputSize);
        Guard.AtLeast(output, (long)batch * shape.OutputSize, outputName);
        Guard.AtLeast(scratch, shape.IsPointwise ? 0 : 2L * ColumnSize(shape));
    }
}
