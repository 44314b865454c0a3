using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>Pool2dKernel against double references, including exact-tie conventions and overlapping windows.</summary>
public sealed class Pool2dKernelTests
{
    /// <summary>
    /// (channels, height, width, kernel, stride): 2/2, overlapping 3/2, dense 3/1, with odd edges and rows of 16+ windows.
    /// The 2/2 shapes cover the permute path's 4- and 8-window chunks (overlapping last chunks, exact tiling or an odd
    /// edge that sends backward to the general path) and rows too short for it.
    /// </summary>
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 1, 1, 1, 1, 1 }, { 3, 8, 8, 2, 2 }, { 2, 7, 9, 2, 2 }, { 2, 33, 35, 2, 2 }, { 2, 28, 28, 2, 2 }, { 2, 14, 14, 2, 2 },
        { 2, 10, 34, 2, 2 }, { 1, 6, 6, 2, 2 }, { 2, 5, 16, 2, 2 },
        { 2, 9, 37, 3, 2 }, { 3, 7, 7, 3, 2 }, { 3, 7, 40, 3, 1 }, { 1, 5, 100, 3, 1 }, { 2, 17, 17, 3, 1 },
    };

    private const int Batch = 3;

    /// <summary>Values and argmax match exactly on random data.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void MaxForwardMatchesReference(int c, int h, int w, int k, int stride)
    {
        var s = new Pool2dShape(c, h, w, k, stride);
        AssertMaxForward(TestData.Random(Batch * s.InputSize, 1), s);
    }

    /// <summary>Inputs drawn from three levels tie in most windows; the first maximum in row-major window order must win.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void MaxForwardBreaksTiesTowardTheFirstElement(int c, int h, int w, int k, int stride)
    {
        var s = new Pool2dShape(c, h, w, k, stride);
        float[] x = TestData.Random(Batch * s.InputSize, 2).Select(v => MathF.Round(v)).ToArray();
        AssertMaxForward(x, s);
    }

    /// <summary>A window of equal values (even all −∞) reports, and sends its gradient to, its top-left element.</summary>
    [Fact]
    public void EqualWindowSendsGradientToFirstElement()
    {
        var s = new Pool2dShape(1, 4, 36, 2, 2);
        foreach (float value in new[] { 0.5f, 0f, float.NegativeInfinity })
        {
            float[] x = TestData.Filled(s.InputSize, value), y = new float[s.OutputSize];
            var argmax = new int[s.OutputSize];
            Pool2dKernel.MaxForward(x, y, argmax, 1, s);
            var dx = new float[s.InputSize];
            Pool2dKernel.MaxBackward(TestData.Filled(s.OutputSize, 1f), argmax, dx, 1, s);
            for (int j = 0; j < s.OutputSize; j++)
            {
                int topLeft = j / s.OutWidth * 2 * s.InWidth + j % s.OutWidth * 2;
                Assert.Equal(topLeft, argmax[j]);
                Assert.Equal(1f, dx[topLeft]);
            }
            Assert.Equal(s.OutputSize, dx.Sum());
        }
    }

    /// <summary>Gradients route to the argmax, accumulating where overlapping windows share a maximum; the adjoint is overwritten.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void MaxBackwardMatchesReference(int c, int h, int w, int k, int stride)
    {
        var s = new Pool2dShape(c, h, w, k, stride);
        float[] x = TestData.Random(Batch * s.InputSize, 3), y = new float[Batch * s.OutputSize], dy = TestData.Random(y.Length, 4);
        var argmax = new int[y.Length];
        Pool2dKernel.MaxForward(x, y, argmax, Batch, s);
        float[] dx = TestData.Filled(x.Length, float.NaN);
        Pool2dKernel.MaxBackward(dy, argmax, dx, Batch, s);
        TestData.AssertClose(Reference.MaxBackward(dy, argmax, Batch, s), dx, 1e-6);
    }

    /// <summary>Average pooling forward and backward match the references; backward overwrites its target.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void AvgMatchesReference(int c, int h, int w, int k, int stride)
    {
        var s = new Pool2dShape(c, h, w, k, stride);
        float[] x = TestData.Random(Batch * s.InputSize, 5), dy = TestData.Random(Batch * s.OutputSize, 6);
        float[] y = TestData.Filled(dy.Length, float.NaN), dx = TestData.Filled(x.Length, float.NaN);
        Pool2dKernel.AvgForward(x, y, Batch, s);
        TestData.AssertClose(Reference.AvgForward(x, Batch, s), y, 1e-6);
        Pool2dKernel.AvgBackward(dy, dx, Batch, s);
        TestData.AssertClose(Reference.AvgBackward(dy, Batch, s), dx, 1e-6);
    }

    /// <summary>Average pooling is linear, so ⟨dy, Avg(x)⟩ = ⟨AvgBackward(dy), x⟩ up to rounding.</summary>
    [Theory, MemberData(nameof(Shapes))]
    public void AvgBackwardIsTheAdjointOfAvgForward(int c, int h, int w, int k, int stride)
    {
        var s = new Pool2dShape(c, h, w, k, stride);
        float[] x = TestData.Random(Batch * s.InputSize, 7), dy = TestData.Random(Batch * s.OutputSize, 8);
        float[] y = new float[dy.Length], dx = new float[x.Length];
        Pool2dKernel.AvgForward(x, y, Batch, s);
        Pool2dKernel.AvgBackward(dy, dx, Batch, s);
        TestData.AssertClose(TestData.Dot(dy, y), TestData.Dot(dx, x), dy.Length, 1e-5);
    }

    /// <summary>Output size follows the unpadded floor formula; oversize windows and short spans are rejected.</summary>
    [Fact]
    public void ShapeArithmeticAndValidation()
    {
        var s = new Pool2dShape(3, 9, 37, 3, 2);
        Assert.Equal((4, 18, 3 * 9 * 37, 3 * 4 * 18), (s.OutHeight, s.OutWidth, s.InputSize, s.OutputSize));
        Assert.ThrowsAny<ArgumentException>(() => Pool2dKernel.AvgForward(new float[100], new float[100], 1, new Pool2dShape(1, 2, 9, 3, 1)));
        Assert.Equal("argmax", Assert.Throws<ArgumentException>(
            () => Pool2dKernel.MaxForward(new float[s.InputSize], new float[s.OutputSize], new int[s.OutputSize - 1], 1, s)).ParamName);
        Assert.Equal("inputAdjoint", Assert.Throws<ArgumentException>(
            () => Pool2dKernel.AvgBackward(new float[s.OutputSize], new float[s.InputSize - 1], 1, s)).ParamName);
    }

    private static void AssertMaxForward(float[] x, Pool2dShape s)
    {
        float[] y = TestData.Filled(Batch * s.OutputSize, float.NaN);
        var argmax = new int[y.Length];
        Pool2dKernel.MaxForward(x, y, argmax, Batch, s);
        var (expected, expectedArgmax) = Reference.MaxForward(x, Batch, s);
        Assert.Equal(expected, y);
        Assert.Equal(expectedArgmax, argmax);
    }

    /// <summary>With a worker pool lent, max pooling splits by sample (23 samples: unequal shares); forward, argmax and the ReLU-folded backward equal one thread's exactly.</summary>
    [Fact]
    public void SplitAcrossThreadsEqualsOneThreadExactly()
    {
        const int batch = 23;
        var shape = new Pool2dShape(64, 28, 28, 2, 2);   // 23 × 64 × 28 × 28 elements: enough to split
        float[] x = TestData.Random(batch * shape.InputSize, 31), dy = TestData.Random(batch * shape.OutputSize, 32);
        var alone = Run(null);
        using var pool = new HomogenousDsl.Parallelism.WorkerPool(2);
        var split = Run(pool);
        Assert.Equal(alone.Y, split.Y);
        Assert.Equal(alone.At, split.At);
        Assert.Equal(alone.Dx, split.Dx);

        (float[] Y, int[] At, float[] Dx) Run(HomogenousDsl.Parallelism.WorkerPool? pool)
        {
            float[] y = new float[batch * shape.OutputSize], dx = TestData.Filled(x.Length, float.NaN);
            int[] at = new int[y.Length];
            using (HomogenousDsl.Parallelism.KernelThreads.Lend(pool))
            {
                Pool2dKernel.MaxForward(x, y, at, batch, shape);
                Pool2dKernel.MaxBackward(dy, at, y, dx, batch, shape, ActivationEpilogue.Relu, 0f);
            }
            return (y, at, dx);
        }
    }

    /// <summary>Paces skewed far from equal move samples between the threads; every output, argmax and adjoint stays one thread's.</summary>
    [Fact]
    public void SkewedPacesMoveSamplesButNoBits()
    {
        const int batch = 23;
        var shape = new Pool2dShape(64, 28, 28, 2, 2);
        float[] x = TestData.Random(batch * shape.InputSize, 33), dy = TestData.Random(batch * shape.OutputSize, 34);
        var alone = Run(null);
        using var pool = new HomogenousDsl.Parallelism.WorkerPool(2);
        Run(pool);
        var balance = SampleSplit.Balance!;
        TestData.SkewPaces(balance, [100, 1_000]);
        var cut = new int[3];
        balance.Cut(0, batch, 2, cut);
        Assert.InRange(cut[1], batch / 2 + 3, batch - 1);
        var skewed = Run(pool);
        Assert.Equal(alone.Y, skewed.Y);
        Assert.Equal(alone.At, skewed.At);
        Assert.Equal(alone.Dx, skewed.Dx);

        (float[] Y, int[] At, float[] Dx) Run(HomogenousDsl.Parallelism.WorkerPool? pool)
        {
            float[] y = TestData.Filled(batch * shape.OutputSize, float.NaN), dx = TestData.Filled(x.Length, float.NaN);
            int[] at = new int[y.Length];
            using (HomogenousDsl.Parallelism.KernelThreads.Lend(pool))
            {
                Pool2dKernel.MaxForward(x, y, at, batch, shape);
                Pool2dKernel.MaxBackward(dy, at, y, dx, batch, shape, ActivationEpilogue.Relu, 0f);
            }
            return (y, at, dx);
        }
    }
}
