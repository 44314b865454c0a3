using HomogenousDsl.Data;
using HomogenousDsl.Kernels;
using HomogenousDsl.Losses;
using HomogenousDsl.Tests.Kernels;
using HomogenousDsl.Tests.Networks;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// On one block, an elementwise update is taken layer by layer inside the backward pass, each layer's weights as soon
/// as its backward call is done with them (split over threads: each weight row as soon as its thread has finished its
/// gradient), the biases afterwards. The parameters and the direction must equal, bit for bit, those of computing the
/// gradient and then updating; every other plan keeps the update after the pass. The trainer's step goes further for a
/// constant step: a dense layer's packed weight-gradient product writes the update itself and never stores its gradient.
/// Its parameters must be the same bits, and the scratch must hold the gradient everywhere except those layers' weights.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public sealed class LayerwiseUpdateTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 100);

    [Fact]
    public void DenseLayersUpdatedInTheBackwardPassEqualGradientThenUpdate()
        => AssertUpdateEqualsGradientThenUpdate<DigitsMlp>(s_digits, samples: 64, chunk: 64, threads: 1, byLayer: true, inPlace: 1);

    [Fact]
    public void ConvolutionAndDenseLayersUpdatedInTheBackwardPassEqualGradientThenUpdate()
        => AssertUpdateEqualsGradientThenUpdate<DigitsCnn>(s_digits, samples: 32, chunk: 32, threads: 1, byLayer: true);

    /// <summary>Biases are not handed over by their layers: the ranges between the weights are updated after the pass.</summary>
    [Fact]
    public void RangesBetweenTheWeightsAreUpdatedAfterThePass()
    {
        AssertUpdateEqualsGradientThenUpdate<DenseRelu>(Random("dense", 5, 40), samples: 40, chunk: 40, threads: 1, byLayer: true);
        AssertUpdateEqualsGradientThenUpdate<ConvMax>(Random("conv", 72, 24), samples: 24, chunk: 24, threads: 1, byLayer: true);
    }

    /// <summary>Two blocks add to each layer's gradient twice, so no layer's gradient is final before the last pass.</summary>
    [Fact]
    public void SetsOfSeveralBlocksUpdateAfterThePass()
        => AssertUpdateEqualsGradientThenUpdate<DigitsMlp>(s_digits, samples: 100, chunk: 64, threads: 1, byLayer: false);

    /// <summary>
    /// Kernels split over two threads: each thread updates the weight rows whose gradient it finished (rows claimed by
    /// either thread, a last tile of 7 or 8 rows), after the layer's input adjoint has read the weights.
    /// </summary>
    [Fact]
    public void SplitBlocksUpdateEachRowWhereItsGradientWasFinished()
    {
        using var _ = SplitPlan.InKernels();
        AssertUpdateEqualsGradientThenUpdate<DigitsMlp>(s_digits, samples: 64, chunk: 64, threads: 2, byLayer: true, inPlace: 1);
        AssertUpdateEqualsGradientThenUpdate<DigitsDeepMlp>(s_digits, samples: 64, chunk: 64, threads: 2, byLayer: true, inPlace: 2);
    }

    /// <summary>A convolution split by sample hands its summed gradient over on the calling thread.</summary>
    [Fact]
    public void SplitConvolutionsAreUpdatedAfterTheirGradientIsSummed()
    {
        using var _ = SplitPlan.InKernels();
        AssertUpdateEqualsGradientThenUpdate<DigitsCnn>(s_digits, samples: 64, chunk: 64, threads: 2, byLayer: true);
    }

    /// <summary>Below the size threshold, a split block keeps the update in the pass where each thread owns its rows.</summary>
    [Fact]
    public void SmallSplitBlocksUpdateInTheReduction()
    {
        using var _ = SplitPlan.InKernels();
        AssertUpdateEqualsGradientThenUpdate<DigitsCnn>(s_digits, samples: 64, chunk: 64, threads: 2, byLayer: false, layerwiseFrom: null);
    }

    /// <summary>A network below the engine's default size threshold keeps one update pass after the backward pass.</summary>
    [Fact]
    public void SmallNetworksAreUpdatedAfterThePass()
        => AssertUpdateEqualsGradientThenUpdate<DenseRelu>(Random("dense", 5, 40), samples: 40, chunk: 40, threads: 1, byLayer: false,
            layerwiseFrom: null);

    /// <summary>One thread: both hidden products of the deep MLP (ragged last row tiles) write their update.</summary>
    [Fact]
    public void WeightGradientProductsWriteAConstantStepThemselves()
        => AssertUpdateEqualsGradientThenUpdate<DigitsDeepMlp>(s_digits, samples: 64, chunk: 64, threads: 1, byLayer: true, inPlace: 2);

    /// <summary>A batch larger than one k block of the product (256) keeps the gradient and the update separate.</summary>
    [Fact]
    public void ProductsOverSeveralBlocksOfTheBatchDoNotUpdateInPlace()
        => AssertUpdateEqualsGradientThenUpdate<DigitsMlp>(s_digits, samples: 300, chunk: 300, threads: 1, byLayer: true, inPlace: 0);

    /// <summary>
    /// The trainer names what went non-finite though an in-place layer never stored its gradient: a step of 1e300 overflows
    /// the parameters from a finite gradient; a NaN weight makes the gradient NaN.
    /// </summary>
    [Theory, InlineData(1), InlineData(2)]
    public void AnInPlaceUpdateSaysWhetherTheGradientOrTheParametersWentNonFinite(int threads)
    {
        using var _ = SplitPlan.InKernels();   // no effect on one thread
        var parameters = new float[DigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(DigitsMlp.Description, parameters, seed: 3);
        var batch = Enumerable.Range(0, 64).ToArray();
        using var engine = new GradientEngine<DigitsMlp>(s_digits, LossKind.Exponential, 64, 64, threads);
        var scratch = new float[parameters.Length];

        var overflow = (float[])parameters.Clone();
        var logTotal = engine.Evaluate(overflow, batch);
        Assert.False(engine.NormalizedUpdate(overflow, batch, logTotal, scratch, new ConstantStep(1e300), logTotal));
        Assert.Equal(PackedGemm.IsAvailable ? 1 : 0, engine.LayersUpdatedInPlace);
        Assert.True(engine.GradientWasFinite(scratch));

        var poisoned = (float[])parameters.Clone();
        poisoned[DigitsMlp.Description.ParameterizedLayers.Last().ParameterOffset] = float.NaN;
        logTotal = engine.Evaluate(poisoned, batch);
        Assert.False(engine.NormalizedUpdate(poisoned, batch, logTotal, scratch, new ConstantStep(0.1), 0));
        Assert.Equal(PackedGemm.IsAvailable ? 1 : 0, engine.LayersUpdatedInPlace);
        Assert.False(engine.GradientWasFinite(scratch));
    }

    [Fact]
    public void ANonFiniteLayerIsReported()
    {
        var parameters = new float[DigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(DigitsMlp.Description, parameters, seed: 3);
        var batch = Enumerable.Range(0, 64).ToArray();
        using var engine = new GradientEngine<DigitsMlp>(s_digits, LossKind.Exponential, 64, 64, threads: 1) { LayerwiseMinimumParameters = 0 };
        var logTotal = engine.Evaluate(parameters, batch);
        Assert.False(engine.NormalizedGradientAndUpdate(parameters, batch, logTotal, new float[parameters.Length], new ConstantStep(1e300), logTotal));
        Assert.True(engine.UpdatedByLayer);
    }

    /// <summary>Two layers reading one range of weights would see it updated between them: such a table is refused.</summary>
    [Fact]
    public void SharedWeightsAreNotUpdatedByLayer()
    {
        LayerDescriptor Dense(int index, int offset) => new(index, LayerKind.Dense, [4], [4], [4, 4], offset, 0, 1);
        var shared = new NetworkDescription("Shared", [4], 4, 2, 16, [Dense(0, 0), Dense(1, 0)]);
        var separate = new NetworkDescription("Separate", [4], 4, 2, 32, [Dense(0, 0), Dense(1, 16)]);
        Assert.Null(LayerwiseUpdate.For(shared));
        Assert.NotNull(LayerwiseUpdate.For(separate));
    }

    private static void AssertUpdateEqualsGradientThenUpdate<TNetwork>(Dataset data, int samples, int chunk, int threads, bool byLayer,
        int? layerwiseFrom = 0, int inPlace = 0) where TNetwork : IHomogeneousNetwork<TNetwork>
    {
        var parameters = new float[TNetwork.ParameterCount];
        ParameterInitializer.HeNormal(TNetwork.Description, parameters, seed: 11);
        for (var i = 0; i < parameters.Length; i++)
            parameters[i] += 0.01f * (i % 7 - 3);   // biases away from zero, so their update is not trivially exact
        var batch = Enumerable.Range(0, samples).Select(i => (i * 7) % data.Count).ToArray();
        var rule = new ConstantStep(0.05);
        using var engine = new GradientEngine<TNetwork>(data, LossKind.Logistic, samples, chunk, threads);
        // These networks are smaller than the engine's threshold for the layer-by-layer update: lowered so they take it.
        if (layerwiseFrom is int minimum)
            engine.LayerwiseMinimumParameters = minimum;

        var separate = (float[])parameters.Clone();
        var direction = new float[parameters.Length];
        var logTotal = engine.Evaluate(separate, batch);
        engine.NormalizedGradient(separate, batch, logTotal, direction);
        Assert.True(rule.Apply(separate, direction, logTotal + 2));

        var fused = (float[])parameters.Clone();
        var fusedDirection = new float[parameters.Length];
        Assert.Equal(logTotal, engine.Evaluate(fused, batch));
        Assert.True(engine.NormalizedGradientAndUpdate(fused, batch, logTotal, fusedDirection, rule, logTotal + 2));
        Assert.Equal(byLayer, engine.UpdatedByLayer);
        Assert.Equal(direction, fusedDirection);
        Assert.Equal(separate, fused);
        // Every weight and bias range moved (some entries may not: a dead unit's gradient is zero).
        foreach (var layer in TNetwork.Description.ParameterizedLayers)
        {
            Assert.True(Moved(layer.ParameterOffset, layer.WeightLength), $"{layer.Name} weights");
            Assert.True(layer.BiasLength == 0 || Moved(layer.ParameterOffset + layer.WeightLength, layer.BiasLength), $"{layer.Name} bias");
        }

        // The trainer's step: products that write their own update leave their weights' range of the scratch alone.
        // Without the packed product's registers (the scalar build) no layer does.
        const float Untouched = -7.25e-3f;
        if (!PackedGemm.IsAvailable)
            inPlace = 0;
        var inPlaceRun = (float[])parameters.Clone();
        var scratch = Enumerable.Repeat(Untouched, parameters.Length).ToArray();
        Assert.Equal(logTotal, engine.Evaluate(inPlaceRun, batch));
        Assert.True(engine.NormalizedUpdate(inPlaceRun, batch, logTotal, scratch, rule, logTotal + 2));
        Assert.Equal(separate, inPlaceRun);
        Assert.Equal(inPlace, engine.LayersUpdatedInPlace);
        var untouched = 0;
        foreach (var layer in TNetwork.Description.ParameterizedLayers)
        {
            var weights = scratch.AsSpan(layer.ParameterOffset, layer.WeightLength);
            if (weights.IndexOfAnyExcept(Untouched) < 0)
                untouched++;
            else
                Assert.True(weights.SequenceEqual(direction.AsSpan(layer.ParameterOffset, layer.WeightLength)), $"{layer.Name} gradient");
            Assert.True(scratch.AsSpan(layer.ParameterOffset + layer.WeightLength, layer.BiasLength)
                .SequenceEqual(direction.AsSpan(layer.ParameterOffset + layer.WeightLength, layer.BiasLength)), $"{layer.Name} bias gradient");
        }
        Assert.Equal(inPlace, untouched);

        bool Moved(int start, int length)
            => !fused.AsSpan(start, length).SequenceEqual(parameters.AsSpan(start, length));
    }

    private static Dataset Random(string name, int features, int count)
    {
        var values = TestData.Random(features * count, features);
        var shape = features == 72 ? new[] { 2, 6, 6 } : new[] { features };
        return Dataset.Binary(name, values, shape, Enumerable.Range(0, count).Select(i => i % 2 == 0 ? 1 : -1).ToArray());
    }
}
