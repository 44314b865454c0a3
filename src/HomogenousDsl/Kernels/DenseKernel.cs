using System.Runtime.CompilerServices;

namespace HomogenousDsl.Kernels;

/// <summary>Fully connected layer y = x·Wᵀ + b over a batch; weight is [out, in] row-major, activations [batch, features].</summary>
public static class DenseKernel
{
    /// <summary>Overwrites output[b·out + o] with bias[o] + Σ_i weight[o·in + i]·input[b·in + i]; an empty bias means none.</summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures)
        => Forward(weight, bias, input, output, batch, inFeatures, outFeatures, ActivationEpilogue.None, 0f);

    /// <summary>
    /// As <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>,
    /// then <paramref name="activation"/> (with <paramref name="slope"/> for LeakyReLU) applied as the output is stored:
    /// the result equals the plain forward followed by the matching <see cref="ActivationKernel"/> function, bit for bit,
    /// without a second pass over the output and without storing the pre-activation.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, ActivationEpilogue activation, float slope)
    {
        CheckSizes(weight, input, output, batch, inFeatures, outFeatures);
        if (!bias.IsEmpty)
            Guard.AtLeast(bias, outFeatures);
        Epilogue.Validate(activation);
        switch (activation)
        {
            case ActivationEpilogue.Relu:
                Forward<ActivationKernel.ReluOperator>(weight, bias, input, output, batch, inFeatures, outFeatures, slope);
                break;
            case ActivationEpilogue.LeakyRelu:
                Forward<ActivationKernel.LeakyReluOperator>(weight, bias, input, output, batch, inFeatures, outFeatures, slope);
                break;
            default:
                Forward<Epilogue.None>(weight, bias, input, output, batch, inFeatures, outFeatures, slope);
                break;
        }
    }

    // One instantiation per activation, so every path applies it as it stores (or, for the small unfused products, in a
    // pass over the output).
    private static void Forward<TOp>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, float slope) where TOp : IUnaryOperator
    {
        if (PackedGemm.IsWorthwhile(outFeatures, batch, inFeatures))
        {
            DenseGemm.Forward<TOp>(weight, bias, input, output, batch, inFeatures, outFeatures, slope);
            return;
        }
        if (inFeatures < SmallFanInDense.MaxFanIn)
        {
            SmallFanInDense.Forward<TOp>(weight, bias, input, output, batch, inFeatures, outFeatures, slope);
            return;
        }
        Unfused(weight, bias, input, output, batch, inFeatures, outFeatures);
        if (typeof(TOp) != typeof(Epilogue.None))
            Elementwise.Map<TOp>(output[..(batch * outFeatures)], output[..(batch * outFeatures)], slope);
    }

    // Small products: the activation pass over a small output costs little next to the call.
    private static void Unfused(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures)
    {
        if (!bias.IsEmpty)
        {
            for (int b = 0; b < batch; b++)
                bias[..outFeatures].CopyTo(output.Slice(b * outFeatures, outFeatures));
        }
        // Without a bias each output is its dot product, stored directly rather than added to a cleared row.
        Gemm.MultiplyByTransposed(input, weight, output, batch, outFeatures, inFeatures, accumulate: !bias.IsEmpty);
    }

    /// <summary>
    /// Accumulates weightGradient[o, i] += Σ_b dy[b, o]·x[b, i] and, when non-empty, biasGradient[o] += Σ_b dy[b, o].
    /// When non-empty, overwrites inputAdjoint[b, i] with Σ_o weight[o, i]·dy[b, o]; the first layer passes an empty span.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, int inFeatures, int outFeatures)
        => Backward(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, inFeatures, outFeatures, GradientWrite.Accumulate);

    /// <summary>
    /// As the accumulating overload, but with <see cref="GradientWrite.Overwrite"/> the weight and bias gradients are
    /// stored rather than added (their previous contents are ignored).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, int inFeatures, int outFeatures, GradientWrite write)
    {
        CheckSizes(weight, input, outputAdjoint, batch, inFeatures, outFeatures);
        Guard.AtLeast(weightGradient, (long)outFeatures * inFeatures);
        if (!biasGradient.IsEmpty)
            Guard.AtLeast(biasGradient, outFeatures);
        if (!inputAdjoint.IsEmpty)
            Guard.AtLeast(inputAdjoint, (long)batch * inFeatures);

        bool overwrite = write == GradientWrite.Overwrite;
        if (overwrite && !biasGradient.IsEmpty)
            biasGradient[..outFeatures].Clear();
        // dW = dyᵀ·x: read dy transposed through the strides (row stride 1, column stride out). The packed product
        // stores directly when overwriting; the small paths are cheap enough to clear first and accumulate.
        if (PackedGemm.IsWorthwhile(outFeatures, inFeatures, batch))
            DenseGemm.WeightGradient(input, outputAdjoint, weightGradient, batch, inFeatures, outFeatures, accumulate: !overwrite);
        else
        {
            if (overwrite)
                weightGradient[..(outFeatures * inFeatures)].Clear();
            if (inFeatures < SmallFanInDense.MaxFanIn)
                SmallFanInDense.WeightGradient(input, outputAdjoint, weightGradient, batch, inFeatures, outFeatures);
            else
                Gemm.Multiply(outputAdjoint, 1, outFeatures, input, weightGradient, outFeatures, inFeatures, batch, accumulate: true);
        }
        if (!biasGradient.IsEmpty)
        {
            for (int b = 0; b < batch; b++)
                VectorMath.Add(outputAdjoint.Slice(b * outFeatures, outFeatures), biasGradient[..outFeatures]);
        }
        if (inputAdjoint.IsEmpty)
            return;
        if (PackedGemm.IsWorthwhile(batch, inFeatures, outFeatures))
            DenseGemm.InputAdjoint(weight, outputAdjoint, inputAdjoint, batch, inFeatures, outFeatures);
        else
            Gemm.Multiply(outputAdjoint, outFeatures, 1, weight, inputAdjoint, batch, inFeatures, outFeatures, accumulate: false);
    }

    private static void CheckSizes(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        int batch, int inFeatures, int outFeatures, [CallerArgumentExpression(nameof(output))] string outputName = "")
    {
        Guard.NonNegative(batch);
        Guard.Positive(inFeatures);
        Guard.Positive(outFeatures);
        Guard.AtLeast(weight, (long)outFeatures * inFeatures);
        Guard.AtLeast(input, (long)batch * inFeatures);
        Guard.AtLeast(output, (long)batch * outFeatures, outputName);
    }
}
