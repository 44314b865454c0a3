using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>Conv2dKernel against a direct double-precision convolution, plus adjoint identities.</summary>
public sealed class Conv2dKernelTests
{
    /// <summary>Kernels 1/3/5, strides 1/2, paddings 0/1/2, including the pointwise fast path and rows wide enough for full registers.</summary>
    public static TheoryData<int, int, int, int, int, int, int> Shapes => new()
    {
        { 1, 1, 1, 1, 1, 1, 0 },
        { 3, 7, 9, 5, 1, 1, 0 },
        { 3, 6, 7, 2, 1, 2, 1 },
        { 2, 7, 7, 3, 3, 1, 1 },
        { 3, 17, 13, 4, 3, 2, 1 },
        { 2, 20, 37, 3, 3, 2, 1 },
        { 1, 33, 40, 6, 3, 1, 1 },
        { 2, 9, 11, 3, 5, 1, 2 },
        { 4, 10, 33, 2, 5, 2, 0 },
        { 2, 8, 8, 3, 3, 2, 2 },
        { 2, 3, 3, 2, 5, 1, 2 },
        { 1, 5, 5, 7, 3, 1, 0 },
    };

    /// <summary>
    /// Large enough for the packed GEMM path (grouped samples over padded images, the weight gradient as col·dYᵀ, the
    /// input adjoint as a flipped-kernel convolution). Odd channel counts and image sizes; stride 2 (packed forward and weight gradient, per-sample input adjoint);
    /// padding beyond K−1 (input adjoint not a convolution); pointwise; a single input channel (adjoint per sample);
    /// 600-pixel outputs (two groups of samples); a 5×5 layer like W4's second convolution, scaled down. On 512-bit
    /// hardware the stride-1 ones with 8+ output channels run on shifted planes (<see cref="ConvPlanes"/>) forward and for
    /// the weight gradient (600 pixels: several k blocks), as do input adjoints with 8+ input channels. The last three
    /// rows cover a partial 8-channel tile, last pixel panels of 31 (masked 32-wide tile) and of 14 (channels along the
    /// registers), and 70 channels in two groups of a 4-pixel tail.
    /// </summary>
    public static TheoryData<int, int, int, int, int, int, int> PackedShapes => new()
    {
        { 3, 13, 11, 9, 3, 1, 1 },
        { 5, 12, 17, 17, 5, 1, 2 },
        { 6, 15, 9, 20, 3, 2, 1 },
        { 4, 10, 10, 16, 3, 1, 3 },
        { 8, 9, 9, 24, 1, 1, 0 },
        { 1, 28, 28, 10, 5, 1, 2 },
        { 4, 20, 30, 19, 3, 1, 1 },
        { 16, 14, 14, 40, 5, 1, 2 },
        { 9, 7, 9, 11, 3, 1, 1 },
        { 8, 10, 11, 8, 5, 1, 2 },
        { 3, 6, 6, 70, 5, 1, 2 },
    };

    /// <summary>
    /// Around the direct path for small patches (stride 1, PatchSize ≤ 32): W4's first layer; odd channel counts (a partial
    /// block of four); outputs that end in a partial register and span several 64-pixel blocks; padding 0 up to beyond K;
    /// fewer output channels than the packed GEMM takes (8, 3); an even kernel; PatchSize exactly 32 (direct) and 36 (packed GEMM); stride 2 (packed GEMM).
    /// </summary>
    public static TheoryData<int, int, int, int, int, int, int> DirectShapes => new()
    {
        { 1, 28, 28, 32, 5, 1, 2 },
        { 1, 13, 11, 7, 5, 1, 0 },
        { 2, 11, 9, 5, 3, 1, 3 },
        { 3, 10, 12, 6, 3, 1, 1 },
        { 1, 9, 17, 9, 5, 1, 5 },
        { 2, 12, 12, 8, 4, 1, 2 },
        { 1, 16, 16, 33, 6, 1, 2 },
        { 1, 20, 20, 12, 5, 2, 2 },
        { 1, 10, 70, 5, 3, 1, 1 },
        { 1, 20, 18, 8, 5, 1, 0 },
        { 2, 16, 16, 3, 3, 1, 1 },
    };

    // Three samples, so sample groups of the packed path straddle and some shapes split into several groups.
    private const int Batch = 3;

    /// <summary>Forward with and without bias; scratch and output start as NaN to prove both are fully overwritten.</summary>
    [Theory, MemberData(nameof(Shapes)), MemberData(nameof(PackedShapes)), MemberData(nameof(DirectShapes))]
    public void ForwardMatchesReference(int inC, int h, int w, int outC, int k, int stride, int pad)
    {
        var s = new Conv2dShape(inC, h, w, outC, k, stride, pad);
        float[] weight = TestData.Random(s.WeightSize, 1), bias = TestData.Random(outC, 2), x = TestData.Random(Batch * s.InputSize, 3);
        float[] y = TestData.Filled(Batch * s.OutputSize, float.NaN), scratch = TestData.Filled(Conv2dKernel.ScratchSize(s), float.NaN);
        Conv2dKernel.Forward(weight, bias, x, y, Batch, s, scratch);
        TestData.AssertClose(Reference.ConvForward(weight, bias, x, Batch, s), y);
        Conv2dKernel.Forward(weight, [], x, y, Batch, s, scratch);
        TestData.AssertClose(Reference.ConvForward(weight, null, x, Batch, s), y);
    }

    /// <summary>Weight and bias gradients accumulate onto what they held; the input adjoint is overwritten.</summary>
    [Theory, MemberData(nameof(Shapes)), MemberData(nameof(PackedShapes)), MemberData(nameof(DirectShapes))]
    public void BackwardAccumulatesParametersAndOverwritesInputAdjoint(int inC, int h, int w, int outC, int k, int stride, int pad)
    {
        var s = new Conv2dShape(inC, h, w, outC, k, stride, pad);
        float[] weight = TestData.Random(s.WeightSize, 4), x = TestData.Random(Batch * s.InputSize, 5), dy = TestData.Random(Batch * s.OutputSize, 6);
        float[] dw0 = TestData.Random(s.WeightSize, 7), db0 = TestData.Random(outC, 8);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
        float[] scratch = TestData.Filled(Conv2dKernel.ScratchSize(s), float.NaN);
        var expected = Reference.ConvBackward(weight, x, dy, Batch, s);

        Conv2dKernel.Backward(weight, x, dy, dw, db, dx, Batch, s, scratch);
        TestData.AssertClose(TestData.Plus(dw0, expected.Weight), dw);
        TestData.AssertClose(TestData.Plus(db0, expected.Bias), db);
        TestData.AssertClose(expected.Input, dx);

        Conv2dKernel.Backward(weight, x, dy, dw, [], dx, Batch, s, scratch);
        TestData.AssertClose(TestData.Plus(dw0, expected.Weight.Select(g => 2 * g).ToArray()), dw);
        TestData.AssertClose(expected.Input, dx);

        Conv2dKernel.Backward(weight, x, dy, dw, db, [], Batch, s, scratch);
        TestData.AssertClose(TestData.Plus(db0, expected.Bias.Select(g => 2 * g).ToArray()), db);
    }

    /// <summary>Without bias the convolution is linear in x and in W: ⟨dy, y⟩ = ⟨dx, x⟩ = ⟨dW, W⟩ up to rounding.</summary>
    [Theory, MemberData(nameof(Shapes)), MemberData(nameof(PackedShapes)), MemberData(nameof(DirectShapes))]
    public void BackwardIsTheAdjointOfForward(int inC, int h, int w, int outC, int k, int stride, int pad)
    {
        var s = new Conv2dShape(inC, h, w, outC, k, stride, pad);
        float[] weight = TestData.Random(s.WeightSize, 9), x = TestData.Random(Batch * s.InputSize, 10), dy = TestData.Random(Batch * s.OutputSize, 11);
        float[] y = new float[dy.Length], dw = new float[weight.Length], dx = new float[x.Length], scratch = new float[Conv2dKernel.ScratchSize(s)];
        Conv2dKernel.Forward(weight, [], x, y, Batch, s, scratch);
        Conv2dKernel.Backward(weight, x, dy, dw, [], dx, Batch, s, scratch);
        double magnitude = TestData.AbsDot(dy, y) + dy.Length * s.PatchSize;
        TestData.AssertClose(TestData.Dot(dy, y), TestData.Dot(dx, x), magnitude);
        TestData.AssertClose(TestData.Dot(dy, y), TestData.Dot(dw, weight), magnitude);
    }

    /// <summary>Output size follows PyTorch's floor formula; scratch is two column matrices, none for pointwise shapes.</summary>
    [Fact]
    public void ShapeArithmetic()
    {
        var s = new Conv2dShape(3, 17, 13, 4, 3, 2, 1);
        Assert.Equal((9, 7), (s.OutHeight, s.OutWidth));
        Assert.Equal((3 * 17 * 13, 4 * 9 * 7, 27, 108), (s.InputSize, s.OutputSize, s.PatchSize, s.WeightSize));
        Assert.Equal(2 * 27 * 63, Conv2dKernel.ScratchSize(s));
        Assert.Equal(0, Conv2dKernel.ScratchSize(new Conv2dShape(3, 5, 5, 2, 1, 1, 0)));
    }

    /// <summary>Invalid shapes and short spans are rejected before any work.</summary>
    [Fact]
    public void InvalidArgumentsThrow()
    {
        var s = new Conv2dShape(2, 5, 5, 3, 3, 1, 1);
        float[] weight = new float[s.WeightSize], x = new float[s.InputSize], y = new float[s.OutputSize], scratch = new float[Conv2dKernel.ScratchSize(s)];
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(weight, [], x, y, 1, s, scratch.AsSpan(1))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(weight, [], x, y, 2, s, scratch)).ParamName);
        Assert.Equal("weightGradient", Assert.Throws<ArgumentException>(() => Conv2dKernel.Backward(weight, x, y, weight.AsSpan(1), [], [], 1, s, scratch)).ParamName);
        Assert.ThrowsAny<ArgumentException>(() => Conv2dKernel.ScratchSize(s with { Kernel = 8 }));
        Assert.ThrowsAny<ArgumentException>(() => Conv2dKernel.ScratchSize(s with { Stride = 0 }));
    }

    /// <summary>
    /// With a worker pool lent, convolutions split by sample (W4-like shapes scaled down, odd batches so shares differ;
    /// the first layer splits only its forward pass, its input adjoint being too small for the packed path; the second
    /// has sixteen output channels, the fewest whose weight gradient fills the half panel a split backward needs):
    /// outputs and input adjoints equal the one-thread results exactly; the weight gradient, summed per thread and then
    /// in thread order, agrees to rounding and accumulates onto what it held.
    /// </summary>
    [Theory]
    [InlineData(1, 28, 28, 8, 5, 2, 13, 2)]
    [InlineData(8, 14, 14, 16, 5, 2, 11, 3)]
    [InlineData(6, 9, 9, 10, 3, 1, 40, 2)]
    public void SplitAcrossThreadsMatchesOneThread(int inC, int h, int w, int outC, int k, int padding, int batch, int threads)
    {
        var shape = new Conv2dShape(inC, h, w, outC, k, 1, padding);
        float[] weight = TestData.Random(shape.WeightSize, 21), x = TestData.Random(batch * shape.InputSize, 22), dy = TestData.Random(batch * shape.OutputSize, 23);
        float[] dw0 = TestData.Random(shape.WeightSize, 24), scratch = new float[Conv2dKernel.ScratchSize(shape)];
        var alone = Run(null);
        using var pool = new HomogenousDsl.Parallelism.WorkerPool(threads);
        var split = Run(pool);
        Assert.Equal(alone.Y, split.Y);
        Assert.Equal(alone.Dx, split.Dx);
        TestData.AssertClose(alone.Dw.Select(static v => (double)v).ToArray(), split.Dw, 1e-5);

        (float[] Y, float[] Dw, float[] Dx) Run(HomogenousDsl.Parallelism.WorkerPool? pool)
        {
            float[] y = TestData.Filled(batch * shape.OutputSize, float.NaN), dw = (float[])dw0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
            using (HomogenousDsl.Parallelism.KernelThreads.Lend(pool))
            {
                Conv2dKernel.Forward(weight, [], x, y, batch, shape, scratch, ActivationEpilogue.Relu, 0f);
                Conv2dKernel.Backward(weight, x, dy, dw, [], dx, batch, shape, scratch, GradientWrite.Accumulate);
            }
            return (y, dw, dx);
        }
    }

    /// <summary>
    /// Paces skewed far from equal (as after a run on unequal cores) move the forward pass's and the input adjoint's
    /// samples between threads: each sample still comes out exactly as on one thread, the weight gradient (kept on the
    /// equal cut) exactly as at equal paces, and nothing is allocated on either thread. The shapes are W4's two
    /// convolutions scaled down: the direct path (one input channel) and the shifted planes (eight).
    /// </summary>
    [Theory]
    [InlineData(1, 28, 28, 8, 5, 2, 13)]
    [InlineData(8, 14, 14, 16, 5, 2, 11)]
    public void SkewedPacesMoveSamplesButNoBits(int inC, int h, int w, int outC, int k, int padding, int batch)
    {
        var shape = new Conv2dShape(inC, h, w, outC, k, 1, padding);
        // The paced cuts belong to the 512-bit direct and planes paths; elsewhere the cut stays equal.
        if (!Conv2dSplit.ForwardPaces(batch, shape))
            return;
        float[] weight = TestData.Random(shape.WeightSize, 41), x = TestData.Random(batch * shape.InputSize, 42), dy = TestData.Random(batch * shape.OutputSize, 43);
        float[] dw0 = TestData.Random(shape.WeightSize, 44), scratch = new float[Conv2dKernel.ScratchSize(shape)];
        bool adjointPaces = Conv2dSplit.InputAdjointPaces(shape);
        var alone = Run(null);
        using var pool = new HomogenousDsl.Parallelism.WorkerPool(2);
        var equal = Run(pool);
        // The table is this thread's: earlier tests may have added entries, and fifty records skew every one alike.
        var balance = SampleSplit.Balance!;
        Assert.InRange(balance.Entries, adjointPaces ? 2 : 1, 32);
        TestData.SkewPaces(balance, [1_000, 100]);
        var cut = new int[3];
        balance.Cut(0, batch, 2, cut);
        Assert.InRange(cut[1], 1, batch / 2 - 2);
        // A one-time lazy allocation of the runtime's on a new worker thread (seen as 8 B–7.7 KB in about one pool in
        // twenty, with equal cuts too) may land in one run; one that the moving shares cost would show in every run.
        var skewed = Run(pool);   // the first call on the moved shares; the measured ones follow
        long allocated = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            long workersBefore = pool.WorkerAllocatedBytes;
            skewed = Run(pool);
            allocated = skewed.Allocated + pool.WorkerAllocatedBytes - workersBefore;
            if (allocated == 0)
                break;
        }
        Assert.Equal(0, allocated);
        Assert.Equal(alone.Y, skewed.Y);
        Assert.Equal(alone.Dx, skewed.Dx);
        Assert.Equal(equal.Dw, skewed.Dw);

        (float[] Y, float[] Dw, float[] Dx, long Allocated) Run(HomogenousDsl.Parallelism.WorkerPool? pool)
        {
            float[] y = TestData.Filled(batch * shape.OutputSize, float.NaN), dw = (float[])dw0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
            using var lent = HomogenousDsl.Parallelism.KernelThreads.Lend(pool);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Conv2dKernel.Forward(weight, [], x, y, batch, shape, scratch, ActivationEpilogue.Relu, 0f);
            Conv2dKernel.Backward(weight, x, dy, dw, [], dx, batch, shape, scratch, GradientWrite.Accumulate);
            return (y, dw, dx, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
