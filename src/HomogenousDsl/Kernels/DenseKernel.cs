using System.Runtime.CompilerServices;
using HomogenousDsl.Parallelism;

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
        => Forward(weight, bias, input, output, batch, inFeatures, outFeatures, activation, slope, ActivationLayout.BatchMajor, ActivationLayout.BatchMajor);

    /// <summary>
    /// As the batch-major overload, with the input read and the output written in the given layouts (x(b, i) is
    /// input[i·batch + b] when feature-major). The generated code keeps activations between dense layers feature-major.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, ActivationEpilogue activation, float slope, ActivationLayout inputLayout, ActivationLayout outputLayout)
    {
        CheckSizes(weight, input, output, batch, inFeatures, outFeatures);
        if (!bias.IsEmpty)
            Guard.AtLeast(bias, outFeatures);
        Epilogue.Validate(activation);
        (inputLayout, outputLayout) = Normalize(inputLayout, outputLayout, batch, inFeatures, outFeatures);
        switch (activation)
        {
            case ActivationEpilogue.Relu:
                Forward<ActivationKernel.ReluOperator>(weight, bias, input, output, batch, inFeatures, outFeatures, slope, inputLayout, outputLayout);
                break;
            case ActivationEpilogue.LeakyRelu:
                Forward<ActivationKernel.LeakyReluOperator>(weight, bias, input, output, batch, inFeatures, outFeatures, slope, inputLayout, outputLayout);
                break;
            default:
                Forward<Epilogue.None>(weight, bias, input, output, batch, inFeatures, outFeatures, slope, inputLayout, outputLayout);
                break;
        }
    }

    // One instantiation per activation, so every path applies it as it stores (or, for the small unfused products, in a
    // pass over the output).
    private static unsafe void Forward<TOp>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, float slope, ActivationLayout inputLayout, ActivationLayout outputLayout) where TOp : IUnaryOperator
    {
        if (PackedGemm.IsWorthwhile(outFeatures, batch, inFeatures))
        {
            DenseGemm.Forward<TOp>(weight, bias, input, output, batch, inFeatures, outFeatures, slope, inputLayout, outputLayout);
            return;
        }
        var y = output[..(batch * outFeatures)];
        if (outputLayout == ActivationLayout.FeatureMajor)
        {
            // Yᵀ = W·Xᵀ: panels along the batch over Xᵀ's rows, or dot products with a batch-major input's rows.
            if (inputLayout == ActivationLayout.FeatureMajor)
                Gemm.Multiply(weight, inFeatures, 1, input, y, outFeatures, batch, inFeatures, accumulate: false);
            else
                Gemm.MultiplyByTransposed(weight, input, y, outFeatures, batch, inFeatures, accumulate: false);
            FeatureRows.FinishAll<TOp>(y, bias, outFeatures, batch, slope);
            return;
        }
        if (inputLayout == ActivationLayout.FeatureMajor)
        {
            // A feature-major input into a batch-major output: the product as Yᵀ, then turned around.
            var product = new Span<float>(GemmWorkspace.Current.Floats(FloatSlot.Product, y.Length), y.Length);
            Gemm.Multiply(weight, inFeatures, 1, input, product, outFeatures, batch, inFeatures, accumulate: false);
            FeatureRows.FinishAll<TOp>(product, bias, outFeatures, batch, slope);
            FeatureRows.Transpose(product, y, outFeatures, batch);
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
        => Backward(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, inFeatures, outFeatures, write,
            ActivationLayout.BatchMajor, ActivationLayout.BatchMajor);

    /// <summary>
    /// As the batch-major overload, with the input adjoint also carried back through <paramref name="inputActivation"/>,
    /// the activation the input came out of (see the overload with layouts).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, int inFeatures, int outFeatures, GradientWrite write,
        ActivationEpilogue inputActivation, float slope)
        => Backward(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, inFeatures, outFeatures, write,
            ActivationLayout.BatchMajor, ActivationLayout.BatchMajor, inputActivation, slope);

    /// <summary>
    /// As the batch-major overload, with the input and its adjoint in <paramref name="inputLayout"/> and the output
    /// adjoint in <paramref name="outputLayout"/> (the layouts the forward pass used).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, int inFeatures, int outFeatures, GradientWrite write,
        ActivationLayout inputLayout, ActivationLayout outputLayout)
        => Backward(weight, input, outputAdjoint, weightGradient, biasGradient, inputAdjoint, batch, inFeatures, outFeatures, write,
            inputLayout, outputLayout, ActivationEpilogue.None, 0f);

    /// <summary>
    /// As the overload with layouts, with the input adjoint also carried back through <paramref name="inputActivation"/>
    /// (with <paramref name="slope"/> for LeakyReLU), the activation the input came out of (the previous layer's fused
    /// epilogue): inputAdjoint = act′ ⊙ (dy·W), the derivative's sign read from the input, that activation's output, so
    /// only sign-preserving activations qualify (ReLU, LeakyReLU with a positive slope). The bits equal this kernel without
    /// it followed by the activation's <see cref="ActivationKernel"/> backward in place, without that second pass.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputAdjoint, int batch, int inFeatures, int outFeatures, GradientWrite write,
        ActivationLayout inputLayout, ActivationLayout outputLayout, ActivationEpilogue inputActivation, float slope)
    {
        CheckSizes(weight, input, outputAdjoint, batch, inFeatures, outFeatures);
        CheckFoldedActivation(inputActivation, slope);
        Guard.AtLeast(weightGradient, (long)outFeatures * inFeatures);
        if (!biasGradient.IsEmpty)
            Guard.AtLeast(biasGradient, outFeatures);
        if (!inputAdjoint.IsEmpty)
            Guard.AtLeast(inputAdjoint, (long)batch * inFeatures);

        (inputLayout, outputLayout) = Normalize(inputLayout, outputLayout, batch, inFeatures, outFeatures);
        bool overwrite = write == GradientWrite.Overwrite;
        if (overwrite && !biasGradient.IsEmpty)
            biasGradient[..outFeatures].Clear();
        // An update taken by the weight-gradient product itself (a constant step, a packed product of one k block), or one
        // taken row by row by the threads of a split product: either way the input adjoint, the weights' last reader,
        // goes first.
        var weightCount = outFeatures * inFeatures;
        var inPlace = overwrite && PackedGemm.IsWorthwhile(outFeatures, inFeatures, batch) && batch <= GemmMicroKernel.RowStride
            ? LayerUpdate.TakeInPlace(weight[..weightCount], weightGradient[..weightCount], inFeatures) : null;
        var rowUpdate = inPlace ?? (KernelThreads.Current is null ? null : LayerUpdate.TakeRows(weight[..weightCount], weightGradient[..weightCount], inFeatures));
        if (rowUpdate is not null && !inputAdjoint.IsEmpty)
            InputAdjoint(weight, input, outputAdjoint, inputAdjoint, batch, inFeatures, outFeatures, inputLayout, outputLayout, inputActivation, slope);
        if (inPlace is not null)
            DenseGemm.WeightGradient(input, outputAdjoint, inPlace.Weights, batch, inFeatures, outFeatures, accumulate: true, inputLayout, outputLayout,
                inPlace, inPlace.Scale, watched: true);
        else
            WeightGradient(input, outputAdjoint, weightGradient, batch, inFeatures, outFeatures, overwrite, inputLayout, outputLayout, rowUpdate);
        if (!biasGradient.IsEmpty)
        {
            if (outputLayout == ActivationLayout.FeatureMajor)
                FeatureRows.AddRowSums(outputAdjoint, biasGradient, outFeatures, batch);
            else
            {
                for (int b = 0; b < batch; b++)
                    VectorMath.Add(outputAdjoint.Slice(b * outFeatures, outFeatures), biasGradient[..outFeatures]);
            }
        }
        if (rowUpdate is null && !inputAdjoint.IsEmpty)
            InputAdjoint(weight, input, outputAdjoint, inputAdjoint, batch, inFeatures, outFeatures, inputLayout, outputLayout, inputActivation, slope);
        // The weights' last read in this pass: an update taken layer by layer may change them now.
        if (rowUpdate is null)
            LayerUpdate.Done(weight[..weightCount], weightGradient[..weightCount]);
    }

    /// <summary>
    /// The backward pass of a bias-free dense layer (<paramref name="hiddenFeatures"/> → <paramref name="outFeatures"/>)
    /// and of the network's first dense layer below it (<paramref name="inFeatures"/> → <paramref name="hiddenFeatures"/>,
    /// no input adjoint), whose output went through <paramref name="hiddenActivation"/> into the upper layer. The bits equal
    /// the upper layer's <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int, int, GradientWrite, ActivationLayout, ActivationLayout, ActivationEpilogue, float)"/>
    /// (writing the hidden adjoint into <paramref name="hiddenAdjoint"/>) followed by the first layer's; split over
    /// threads with feature-major activations between the layers, the three products run as one dispatch
    /// (<see cref="FirstLayerPairBackward"/>), ending at one barrier instead of three.
    /// </summary>
    public static void BackwardWithFirstLayer(ReadOnlySpan<float> weight, ReadOnlySpan<float> hidden, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> hiddenAdjoint, ReadOnlySpan<float> firstWeight, ReadOnlySpan<float> input, Span<float> firstWeightGradient,
        int batch, int inFeatures, int hiddenFeatures, int outFeatures, GradientWrite write,
        ActivationLayout inputLayout, ActivationLayout hiddenLayout, ActivationLayout outputLayout, ActivationEpilogue hiddenActivation, float slope)
    {
        CheckPair(weight, hidden, outputAdjoint, weightGradient, hiddenAdjoint, firstWeight, input, firstWeightGradient, batch, inFeatures, hiddenFeatures, outFeatures,
            inputLayout, hiddenLayout, outputLayout, hiddenActivation, slope);
        if (FirstLayerPairBackward.TryRun(weight, hidden, outputAdjoint, weightGradient, hiddenAdjoint, firstWeight, input, firstWeightGradient,
                batch, inFeatures, hiddenFeatures, outFeatures, write, inputLayout, hiddenLayout, outputLayout, hiddenActivation, slope))
            return;
        Backward(weight, hidden, outputAdjoint, weightGradient, Span<float>.Empty, hiddenAdjoint, batch, hiddenFeatures, outFeatures, write,
            hiddenLayout, outputLayout, hiddenActivation, slope);
        Backward(firstWeight, input, hiddenAdjoint, firstWeightGradient, Span<float>.Empty, Span<float>.Empty, batch, inFeatures, hiddenFeatures, write,
            inputLayout, hiddenLayout);
    }

    /// <summary>
    /// The backward pass of a network's last dense layer when it has one output and no bias (its input, <paramref name="upper"/>,
    /// came out of <paramref name="upperActivation"/>), of the bias-free dense layer below it (<paramref name="hiddenFeatures"/> →
    /// <paramref name="upperFeatures"/>) and of the network's first dense layer (<paramref name="inFeatures"/> →
    /// <paramref name="hiddenFeatures"/>, no input adjoint), with feature-major activations between the layers. The bits
    /// equal the one-output layer's <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int, int, GradientWrite, ActivationLayout, ActivationLayout, ActivationEpilogue, float)"/>
    /// (writing its input adjoint into <paramref name="upperAdjoint"/>) followed by <see cref="BackwardWithFirstLayer"/>; split
    /// over threads, the one-output layer's products run by rows inside the pair's dispatch (<see cref="OneOutputHead"/>), so
    /// the three layers cost one dispatch where they cost two.
    /// </summary>
    public static void BackwardFromOneOutput(ReadOnlySpan<float> outputWeight, ReadOnlySpan<float> upper, ReadOnlySpan<float> outputAdjoint,
        Span<float> outputWeightGradient, Span<float> upperAdjoint, ActivationEpilogue upperActivation, float upperSlope,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> hidden, Span<float> weightGradient, Span<float> hiddenAdjoint,
        ReadOnlySpan<float> firstWeight, ReadOnlySpan<float> input, Span<float> firstWeightGradient,
        int batch, int inFeatures, int hiddenFeatures, int upperFeatures, GradientWrite write,
        ActivationLayout inputLayout, ActivationEpilogue hiddenActivation, float slope)
    {
        const ActivationLayout feature = ActivationLayout.FeatureMajor;
        CheckSizes(outputWeight, upper, outputAdjoint, batch, upperFeatures, 1);
        Guard.AtLeast(outputWeightGradient, upperFeatures);
        Guard.AtLeast(upperAdjoint, (long)batch * upperFeatures);
        CheckFoldedActivation(upperActivation, upperSlope);
        CheckPair(weight, hidden, upperAdjoint, weightGradient, hiddenAdjoint, firstWeight, input, firstWeightGradient, batch, inFeatures, hiddenFeatures, upperFeatures,
            inputLayout, feature, feature, hiddenActivation, slope);
        var head = new OneOutputHead
        {
            Weight = outputWeight[..upperFeatures],
            Input = upper[..(batch * upperFeatures)],
            OutputAdjoint = outputAdjoint[..batch],
            WeightGradient = outputWeightGradient[..upperFeatures],
            InputAdjoint = upperAdjoint[..(batch * upperFeatures)],
            Activation = upperActivation,
            Slope = upperSlope,
        };
        if (FirstLayerPairBackward.TryRun(head, weight, hidden, upperAdjoint, weightGradient, hiddenAdjoint, firstWeight, input, firstWeightGradient,
                batch, inFeatures, hiddenFeatures, upperFeatures, write, inputLayout, feature, feature, hiddenActivation, slope))
            return;
        Backward(outputWeight, upper, outputAdjoint, outputWeightGradient, Span<float>.Empty, upperAdjoint, batch, upperFeatures, 1, write,
            feature, feature, upperActivation, upperSlope);
        BackwardWithFirstLayer(weight, hidden, upperAdjoint, weightGradient, hiddenAdjoint, firstWeight, input, firstWeightGradient,
            batch, inFeatures, hiddenFeatures, upperFeatures, write, inputLayout, feature, feature, hiddenActivation, slope);
    }

    private static void CheckPair(ReadOnlySpan<float> weight, ReadOnlySpan<float> hidden, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> hiddenAdjoint, ReadOnlySpan<float> firstWeight, ReadOnlySpan<float> input, Span<float> firstWeightGradient,
        int batch, int inFeatures, int hiddenFeatures, int outFeatures,
        ActivationLayout inputLayout, ActivationLayout hiddenLayout, ActivationLayout outputLayout, ActivationEpilogue hiddenActivation, float slope)
    {
        CheckSizes(weight, hidden, outputAdjoint, batch, hiddenFeatures, outFeatures);
        CheckSizes(firstWeight, input, hiddenAdjoint, batch, inFeatures, hiddenFeatures);
        Guard.AtLeast(weightGradient, (long)outFeatures * hiddenFeatures);
        Guard.AtLeast(firstWeightGradient, (long)hiddenFeatures * inFeatures);
        CheckFoldedActivation(hiddenActivation, slope);
        // Checked here; the pair only runs where no side is a single feature or sample, so none is normalized away.
        _ = Normalize(inputLayout, hiddenLayout, batch, inFeatures, hiddenFeatures);
        _ = Normalize(hiddenLayout, outputLayout, batch, hiddenFeatures, outFeatures);
    }

    // An activation whose derivative an input adjoint folds in: its sign is read from the activation's output, so only
    // ReLU, none, or a LeakyReLU with a positive slope.
    private static void CheckFoldedActivation(ActivationEpilogue activation, float slope,
        [CallerArgumentExpression(nameof(slope))] string slopeName = "")
    {
        Epilogue.Validate(activation);
        if (activation == ActivationEpilogue.LeakyRelu && !(slope > 0f))
            throw new ArgumentOutOfRangeException(slopeName, slope,
                "The input adjoint reads LeakyReLU's derivative from the sign of its output, which only a positive slope preserves.");
    }

    /// <summary>
    /// Where a side has one feature (or the batch one sample), both layouts are the same memory: take the layout that
    /// matches the other side, so the products meet only the pairs they have loops for.
    /// </summary>
    private static (ActivationLayout Input, ActivationLayout Output) Normalize(ActivationLayout input, ActivationLayout output,
        int batch, int inFeatures, int outFeatures, [CallerArgumentExpression(nameof(input))] string inputName = "",
        [CallerArgumentExpression(nameof(output))] string outputName = "")
    {
        if (input is not (ActivationLayout.BatchMajor or ActivationLayout.FeatureMajor))
            throw new ArgumentOutOfRangeException(inputName, input, "Unknown activation layout.");
        if (output is not (ActivationLayout.BatchMajor or ActivationLayout.FeatureMajor))
            throw new ArgumentOutOfRangeException(outputName, output, "Unknown activation layout.");
        if (batch == 1 || outFeatures == 1)
            output = input;
        if (inFeatures == 1)
            input = output;
        return (input, output);
    }

    // dW = dYᵀ·X, then finished(rows) over all of it. The packed product stores directly when overwriting; the small
    // paths clear first and accumulate.
    private static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, int inFeatures, int outFeatures, bool overwrite, ActivationLayout inputLayout, ActivationLayout outputLayout, ISplitEpilogue? finished)
    {
        if (PackedGemm.IsWorthwhile(outFeatures, inFeatures, batch))
        {
            DenseGemm.WeightGradient(input, outputAdjoint, weightGradient, batch, inFeatures, outFeatures, accumulate: !overwrite, inputLayout, outputLayout, finished);
            return;
        }
        SmallWeightGradient(input, outputAdjoint, weightGradient, batch, inFeatures, outFeatures, overwrite, inputLayout, outputLayout);
        finished?.Finish(0, outFeatures);
    }

    private static unsafe void SmallWeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, int inFeatures, int outFeatures, bool overwrite, ActivationLayout inputLayout, ActivationLayout outputLayout)
    {
        var dw = weightGradient[..(outFeatures * inFeatures)];
        if (overwrite)
            dw.Clear();
        bool featureMajorIn = inputLayout == ActivationLayout.FeatureMajor, featureMajorOut = outputLayout == ActivationLayout.FeatureMajor;
        if (featureMajorIn && featureMajorOut)
            Gemm.MultiplyByTransposed(outputAdjoint, input, dw, outFeatures, inFeatures, batch, accumulate: true);
        else if (featureMajorOut)
            Gemm.Multiply(outputAdjoint, batch, 1, input, dw, outFeatures, inFeatures, batch, accumulate: true);
        else if (featureMajorIn)
        {
            // dWᵀ = Xᵀ·dY from the rows both are stored in, then added turned around.
            int count = outFeatures * inFeatures;
            var transposed = new Span<float>(GemmWorkspace.Current.Floats(FloatSlot.Product, count), count);
            Gemm.Multiply(input, batch, 1, outputAdjoint, transposed, inFeatures, outFeatures, batch, accumulate: false);
            for (int o = 0; o < outFeatures; o++)
            {
                var row = dw.Slice(o * inFeatures, inFeatures);
                for (int i = 0; i < inFeatures; i++)
                    row[i] += transposed[i * outFeatures + o];
            }
        }
        else if (inFeatures < SmallFanInDense.MaxFanIn)
            SmallFanInDense.WeightGradient(input, outputAdjoint, weightGradient, batch, inFeatures, outFeatures);
        else
            Gemm.Multiply(outputAdjoint, 1, outFeatures, input, dw, outFeatures, inFeatures, batch, accumulate: true);
    }

    // dX = act′ ⊙ (dY·W) in the input's layout, the derivative applied to each part of dX by the thread that stored it.
    private static unsafe void InputAdjoint(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> inputAdjoint,
        int batch, int inFeatures, int outFeatures, ActivationLayout inputLayout, ActivationLayout outputLayout, ActivationEpilogue inputActivation, float slope)
    {
        bool featureMajorIn = inputLayout == ActivationLayout.FeatureMajor, featureMajorOut = outputLayout == ActivationLayout.FeatureMajor;
        bool worthwhile = featureMajorIn ? PackedGemm.IsWorthwhile(inFeatures, batch, outFeatures) : PackedGemm.IsWorthwhile(batch, inFeatures, outFeatures);
        if (worthwhile)
        {
            DenseGemm.InputAdjoint(weight, input, outputAdjoint, inputAdjoint, batch, inFeatures, outFeatures, inputLayout, outputLayout, inputActivation, slope);
            return;
        }
        var dx = inputAdjoint[..(batch * inFeatures)];
        if (featureMajorIn && !featureMajorOut)
        {
            // dX batch-major from the batch-major adjoint, then turned around.
            var product = new Span<float>(GemmWorkspace.Current.Floats(FloatSlot.Product, dx.Length), dx.Length);
            Gemm.Multiply(outputAdjoint, outFeatures, 1, weight, product, batch, inFeatures, outFeatures, accumulate: false);
            FeatureRows.Transpose(product, dx, batch, inFeatures);
            ActivationDerivative.Apply(inputActivation, slope, input[..dx.Length], dx);
            return;
        }
        // dXᵀ = Wᵀ·dYᵀ (rows: input features) or dX = dY·W (rows: samples), A(r, p) = a[r·rowStride + p·columnStride].
        int m = featureMajorIn ? inFeatures : batch, n = featureMajorIn ? batch : inFeatures;
        var a = featureMajorIn ? weight : outputAdjoint;
        var b = featureMajorIn ? outputAdjoint : weight;
        int rowStride = featureMajorIn ? 1 : featureMajorOut ? 1 : outFeatures;
        int columnStride = featureMajorIn ? inFeatures : featureMajorOut ? batch : 1;
        fixed (float* pa = a, pb = b, px = input, pdx = dx)
        {
            var derivative = ActivationDerivative.For(inputActivation, slope, px, pdx, m, n, byColumn: false);
            if (SmallProductSplit.TryRun(pa, rowStride, columnStride, pb, pdx, m, n, outFeatures, derivative))
                return;
            Gemm.Multiply(a, rowStride, columnStride, b, dx, m, n, outFeatures, accumulate: false);
            derivative?.Finish(0, m);
        }
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
