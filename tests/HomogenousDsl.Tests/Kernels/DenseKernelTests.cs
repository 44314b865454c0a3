using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>DenseKernel against double references, plus the adjoint identities of its two linear maps.</summary>
public sealed class DenseKernelTests
{
    /// <summary>
    /// (batch, in, out) with odd sizes on both sides of the register widths; then shapes on both sides of the packed-GEMM
    /// threshold (16·40·51 just below 2^15, 16·41·51 just above), across its 256-wide k blocks and 512-column n blocks,
    /// shapes where some of a layer's three products are packed and others are not, a batch the forward pass splits
    /// into chunks (1100 = 512 + 512 + 76), and output rows a multiple of 4 KB apart.
    /// </summary>
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 7, 17 }, { 5, 33, 3 }, { 2, 100, 7 }, { 4, 17, 33 }, { 7, 3, 100 }, { 1, 64, 16 },
        { 16, 40, 51 }, { 16, 41, 51 }, { 33, 257, 45 }, { 70, 300, 19 }, { 5, 1000, 300 }, { 17, 513, 530 }, { 64, 100, 1 }, { 1100, 37, 21 },
        // 1,024 outputs: sample rows 4 KB apart, which the forward's transpose back stores in blocks of eight rows.
        { 33, 40, 1024 },
        // Fan-in below a register (the transposed-weight path): the late-stage 2-100-1 layer and odd neighbours.
        { 16, 2, 100 }, { 3, 2, 33 }, { 5, 2, 15 }, { 9, 5, 37 }, { 2, 1, 513 },
    };

    /// <summary>Forward with and without bias, overwriting whatever the output held.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void ForwardMatchesReference(int batch, int inFeatures, int outFeatures)
    {
        float[] w = TestData.Random(outFeatures * inFeatures, 1), b = TestData.Random(outFeatures, 2), x = TestData.Random(batch * inFeatures, 3);
        float[] y = TestData.Filled(batch * outFeatures, float.NaN);
        DenseKernel.Forward(w, b, x, y, batch, inFeatures, outFeatures);
        TestData.AssertClose(Reference.DenseForward(w, b, x, batch, inFeatures, outFeatures), y);
        DenseKernel.Forward(w, [], x, y, batch, inFeatures, outFeatures);
        TestData.AssertClose(Reference.DenseForward(w, null, x, batch, inFeatures, outFeatures), y);
    }

    /// <summary>Weight and bias gradients accumulate onto what they held; the input adjoint is overwritten.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void BackwardAccumulatesParametersAndOverwritesInputAdjoint(int batch, int inFeatures, int outFeatures)
    {
        float[] w = TestData.Random(outFeatures * inFeatures, 4), x = TestData.Random(batch * inFeatures, 5), dy = TestData.Random(batch * outFeatures, 6);
        float[] dw0 = TestData.Random(w.Length, 7), db0 = TestData.Random(outFeatures, 8);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
        var expected = Reference.DenseBackward(w, x, dy, batch, inFeatures, outFeatures);

        DenseKernel.Backward(w, x, dy, dw, db, dx, batch, inFeatures, outFeatures);
        TestData.AssertClose(TestData.Plus(dw0, expected.Weight), dw);
        TestData.AssertClose(TestData.Plus(db0, expected.Bias), db);
        TestData.AssertClose(expected.Input, dx);

        DenseKernel.Backward(w, x, dy, dw, db, dx, batch, inFeatures, outFeatures);
        TestData.AssertClose(TestData.Plus(dw0, expected.Weight.Select(g => 2 * g).ToArray()), dw);
        TestData.AssertClose(expected.Input, dx);
    }

    /// <summary>The first layer skips the input adjoint and a bias-free layer skips the bias gradient.</summary>
    [Fact]
    public void BackwardSkipsEmptyOptionalSpans()
    {
        const int batch = 3, inFeatures = 19, outFeatures = 5;
        float[] w = TestData.Random(outFeatures * inFeatures, 9), x = TestData.Random(batch * inFeatures, 10), dy = TestData.Random(batch * outFeatures, 11);
        var dw = new float[w.Length];
        DenseKernel.Backward(w, x, dy, dw, [], [], batch, inFeatures, outFeatures);
        TestData.AssertClose(Reference.DenseBackward(w, x, dy, batch, inFeatures, outFeatures).Weight, dw);
    }

    /// <summary>
    /// Without bias, y = W·x is linear in x and in W, so ⟨dy, y⟩ = ⟨dx, x⟩ = ⟨dW, W⟩ — exact identities up to rounding
    /// that tie Backward to Forward independently of the reference.
    /// </summary>
    [Theory, MemberData(nameof(Shapes))]
    public void BackwardIsTheAdjointOfForward(int batch, int inFeatures, int outFeatures)
    {
        float[] w = TestData.Random(outFeatures * inFeatures, 12), x = TestData.Random(batch * inFeatures, 13), dy = TestData.Random(batch * outFeatures, 14);
        var y = new float[dy.Length];
        var dw = new float[w.Length];
        var dx = new float[x.Length];
        DenseKernel.Forward(w, [], x, y, batch, inFeatures, outFeatures);
        DenseKernel.Backward(w, x, dy, dw, [], dx, batch, inFeatures, outFeatures);
        double magnitude = TestData.AbsDot(dy, y) + batch * outFeatures * inFeatures;
        TestData.AssertClose(TestData.Dot(dy, y), TestData.Dot(dx, x), magnitude);
        TestData.AssertClose(TestData.Dot(dy, y), TestData.Dot(dw, w), magnitude);
    }

    /// <summary>Short spans are rejected with the offending parameter named.</summary>
    [Fact]
    public void ShortSpansThrow()
    {
        var w = new float[6];
        var x = new float[6];
        var y = new float[4];
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => DenseKernel.Forward(w.AsSpan(1), [], x, y, 2, 3, 2)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => DenseKernel.Forward(w, new float[1], x, y, 2, 3, 2)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => DenseKernel.Forward(w, [], x, y.AsSpan(1), 2, 3, 2)).ParamName);
        Assert.Equal("outputAdjoint", Assert.Throws<ArgumentException>(() => DenseKernel.Backward(w, x, y.AsSpan(1), w, [], x, 2, 3, 2)).ParamName);
        Assert.Equal("inputAdjoint", Assert.Throws<ArgumentException>(() => DenseKernel.Backward(w, x, y, w, [], x.AsSpan(1), 2, 3, 2)).ParamName);
    }

    /// <summary>
    /// With a worker pool lent, the three products split across threads (forward and weight gradient by output row,
    /// input adjoint by input column; odd sizes leave ragged parts): every result equals the one-thread result exactly,
    /// bias, LeakyReLU store and accumulation included.
    /// </summary>
    [Theory]
    [InlineData(64, 784, 255, 2)]
    [InlineData(33, 300, 201, 3)]
    [InlineData(100, 513, 530, 2)]
    public void SplitAcrossThreadsEqualsOneThreadExactly(int batch, int inFeatures, int outFeatures, int threads)
    {
        float[] w = TestData.Random(outFeatures * inFeatures, 11), b = TestData.Random(outFeatures, 12), x = TestData.Random(batch * inFeatures, 13);
        float[] dy = TestData.Random(batch * outFeatures, 14), dw0 = TestData.Random(w.Length, 15);
        var alone = Run(pool: null);
        using var pool = new HomogenousDsl.Parallelism.WorkerPool(threads);
        var split = Run(pool);
        Assert.Equal(alone.Y, split.Y);
        Assert.Equal(alone.Dw, split.Dw);
        Assert.Equal(alone.Dx, split.Dx);

        (float[] Y, float[] Dw, float[] Dx) Run(HomogenousDsl.Parallelism.WorkerPool? pool)
        {
            float[] y = TestData.Filled(batch * outFeatures, float.NaN), dw = (float[])dw0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
            using (HomogenousDsl.Parallelism.KernelThreads.Lend(pool))
            {
                DenseKernel.Forward(w, b, x, y, batch, inFeatures, outFeatures, ActivationEpilogue.LeakyRelu, 0.1f);
                DenseKernel.Backward(w, x, dy, dw, [], dx, batch, inFeatures, outFeatures, GradientWrite.Accumulate);
            }
            return (y, dw, dx);
        }
    }
}
