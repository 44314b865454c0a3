using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// DenseKernel with feature-major activations ([features, batch]) on either side: every pairing of layouts against the
/// double references, on the small and the packed paths, and the packed products bit-identical to batch-major ones.
/// </summary>
public sealed class DenseLayoutTests
{
    private const ActivationLayout Batch = ActivationLayout.BatchMajor, Feature = ActivationLayout.FeatureMajor;

    public static TheoryData<int, int, int, ActivationLayout, ActivationLayout> Cases()
    {
        var data = new TheoryData<int, int, int, ActivationLayout, ActivationLayout>();
        // Small products, packed ones with ragged tiles and several k and column blocks, a forward split into chunks,
        // one-output and one-input layers (where both layouts are the same memory), a tiny fan-in.
        int[][] shapes = [[3, 7, 17], [5, 33, 3], [16, 40, 51], [33, 257, 45], [17, 513, 530], [70, 300, 19], [1100, 37, 21], [64, 100, 1], [9, 1, 33], [16, 2, 100], [1, 20, 20]];
        foreach (var s in shapes)
        {
            foreach (var input in new[] { Batch, Feature })
            foreach (var output in new[] { Batch, Feature })
                data.Add(s[0], s[1], s[2], input, output);
        }
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchReferenceInEveryLayout(int batch, int inFeatures, int outFeatures, ActivationLayout inputLayout, ActivationLayout outputLayout)
    {
        float[] w = TestData.Random(outFeatures * inFeatures, 31), bias = TestData.Random(outFeatures, 32), x = TestData.Random(batch * inFeatures, 33);
        float[] dy = TestData.Random(batch * outFeatures, 34), dw0 = TestData.Random(w.Length, 35), db0 = TestData.Random(outFeatures, 36);

        // Forward with bias and LeakyReLU, and without bias, overwriting whatever the output held.
        var y = TestData.Filled(batch * outFeatures, float.NaN);
        DenseKernel.Forward(w, bias, In(x), y, batch, inFeatures, outFeatures, ActivationEpilogue.LeakyRelu, 0.25f, inputLayout, outputLayout);
        var expected = Reference.DenseForward(w, bias, x, batch, inFeatures, outFeatures).Select(v => v > 0 ? v : 0.25f * v).ToArray();
        TestData.AssertClose(expected, Out(y));
        DenseKernel.Forward(w, [], In(x), y, batch, inFeatures, outFeatures, ActivationEpilogue.None, 0f, inputLayout, outputLayout);
        TestData.AssertClose(Reference.DenseForward(w, null, x, batch, inFeatures, outFeatures), Out(y));

        // Backward: gradients accumulate, then overwrite; the input adjoint comes back in the input's layout.
        var reference = Reference.DenseBackward(w, x, dy, batch, inFeatures, outFeatures);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
        DenseKernel.Backward(w, In(x), OutAdjoint(dy), dw, db, dx, batch, inFeatures, outFeatures, GradientWrite.Accumulate, inputLayout, outputLayout);
        TestData.AssertClose(TestData.Plus(dw0, reference.Weight), dw);
        TestData.AssertClose(TestData.Plus(db0, reference.Bias), db);
        TestData.AssertClose(reference.Input, InBack(dx));
        DenseKernel.Backward(w, In(x), OutAdjoint(dy), dw, db, [], batch, inFeatures, outFeatures, GradientWrite.Overwrite, inputLayout, outputLayout);
        TestData.AssertClose(reference.Weight, dw);
        TestData.AssertClose(reference.Bias, db);

        float[] In(float[] batchMajor) => inputLayout == Feature ? Transposed(batchMajor, batch, inFeatures) : batchMajor;
        float[] InBack(float[] stored) => inputLayout == Feature ? Transposed(stored, inFeatures, batch) : stored;
        float[] OutAdjoint(float[] batchMajor) => outputLayout == Feature ? Transposed(batchMajor, batch, outFeatures) : batchMajor;
        float[] Out(float[] stored) => outputLayout == Feature ? Transposed(stored, outFeatures, batch) : stored;
    }

    /// <summary>
    /// On the packed path a layout changes only where operands are read from, not the blocking or the order of the
    /// sums: feature-major results equal batch-major ones bit for bit, on one thread and split over three.
    /// </summary>
    [Theory]
    [InlineData(64, 784, 255, 1)]
    [InlineData(100, 513, 530, 3)]
    [InlineData(33, 300, 201, 2)]
    public void PackedProductsEqualBatchMajorExactly(int batch, int inFeatures, int outFeatures, int threads)
    {
        // The packed path's property: without it (no 512-bit vectors, no AVX2 + FMA) the simple loops run, with their own order per layout.
        if (!PackedGemm.IsAvailable)
            return;
        float[] w = TestData.Random(outFeatures * inFeatures, 41), x = TestData.Random(batch * inFeatures, 42), dy = TestData.Random(batch * outFeatures, 43);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        using var lent = KernelThreads.Lend(pool);
        var (y, dw, dx) = Run(x, dy, Batch, Batch);
        var (yF, dwF, dxF) = Run(Transposed(x, batch, inFeatures), Transposed(dy, batch, outFeatures), Feature, Feature);
        Assert.Equal(y, Transposed(yF, outFeatures, batch));
        Assert.Equal(dw, dwF);
        Assert.Equal(dx, Transposed(dxF, inFeatures, batch));

        (float[] Y, float[] Dw, float[] Dx) Run(float[] input, float[] adjoint, ActivationLayout inputLayout, ActivationLayout outputLayout)
        {
            float[] output = TestData.Filled(batch * outFeatures, float.NaN), gradient = new float[w.Length], inputAdjoint = TestData.Filled(x.Length, float.NaN);
            DenseKernel.Forward(w, [], input, output, batch, inFeatures, outFeatures, ActivationEpilogue.Relu, 0f, inputLayout, outputLayout);
            DenseKernel.Backward(w, input, adjoint, gradient, [], inputAdjoint, batch, inFeatures, outFeatures, GradientWrite.Overwrite, inputLayout, outputLayout);
            return (output, gradient, inputAdjoint);
        }
    }

    /// <summary>
    /// A long batch-major input into a feature-major output turns the product around (samples as the broadcast rows,
    /// Wᵀ packed): the same bits as the batch-major output's product, with bias and activation, in one chunk and in
    /// several, and a ragged last tile of samples.
    /// </summary>
    [Theory]
    [InlineData(1100, 77, 40)]
    [InlineData(600, 300, 37)]
    [InlineData(97, 50, 33)]
    public void SamplesAsRowsEqualTheBatchMajorProductExactly(int batch, int inFeatures, int outFeatures)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            return;
        Assert.True(DenseGemm.SamplesAsRows(Batch, Feature, DenseGemm.ForwardChunkFor(batch), outFeatures));
        float[] w = TestData.Random(outFeatures * inFeatures, 51), bias = TestData.Random(outFeatures, 52), x = TestData.Random(batch * inFeatures, 53);
        foreach (var withBias in new[] { true, false })
        {
            float[] b = withBias ? bias : [], y = TestData.Filled(batch * outFeatures, float.NaN), yF = TestData.Filled(batch * outFeatures, float.NaN);
            DenseKernel.Forward(w, b, x, y, batch, inFeatures, outFeatures, ActivationEpilogue.LeakyRelu, 0.25f, Batch, Batch);
            DenseKernel.Forward(w, b, x, yF, batch, inFeatures, outFeatures, ActivationEpilogue.LeakyRelu, 0.25f, Batch, Feature);
            Assert.Equal(y, Transposed(yF, outFeatures, batch));
        }
    }

    [Fact]
    public void UnknownLayoutsThrow()
    {
        float[] w = new float[6], x = new float[6], y = new float[4];
        var bad = (ActivationLayout)7;
        Assert.Equal("inputLayout", Assert.Throws<ArgumentOutOfRangeException>(
            () => DenseKernel.Forward(w, [], x, y, 2, 3, 2, ActivationEpilogue.None, 0f, bad, Batch)).ParamName);
        Assert.Equal("outputLayout", Assert.Throws<ArgumentOutOfRangeException>(
            () => DenseKernel.Backward(w, x, y, w, [], x, 2, 3, 2, GradientWrite.Accumulate, Feature, bad)).ParamName);
    }

    /// <summary>[rows, columns] → [columns, rows].</summary>
    private static float[] Transposed(float[] source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (var i = 0; i < rows; i++)
        for (var j = 0; j < columns; j++)
            result[j * rows + i] = source[i * columns + j];
        return result;
    }
}
