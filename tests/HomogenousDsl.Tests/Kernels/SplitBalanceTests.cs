using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Tests.Kernels;

public class SplitBalanceTests
{
    [Fact]
    public void NewShapesStartWithEqualShares()
    {
        var balance = new SplitBalance(3);
        var entry = balance.Entry(256, 64, 784, SplitAxis.Rows, 3);
        var starts = new int[4];
        balance.Cut(entry, 32, 3, starts);
        Assert.Equal([0, 11, 21, 32], starts);
        Assert.Equal(entry, balance.Entry(256, 64, 784, SplitAxis.Rows, 3));
        Assert.NotEqual(entry, balance.Entry(256, 64, 784, SplitAxis.Columns, 3));
        Assert.Equal(2, balance.Entries);
    }

    [Fact]
    public void ASlowerThreadGetsFewerTilesAndNeverNone()
    {
        var balance = new SplitBalance(2);
        var entry = balance.Entry(1024, 256, 1024, SplitAxis.Rows, 2);
        var starts = new int[3];
        // Thread 1 takes three times as long for the same tiles: its pace is a third of thread 0's.
        for (var i = 0; i < 100; i++)
        {
            balance.Cut(entry, 128, 2, starts);
            var tiles0 = starts[1] - starts[0];
            var tiles1 = starts[2] - starts[1];
            balance.Record(entry, 2, starts, [tiles0 * 100L, tiles1 * 300L]);
        }
        balance.Cut(entry, 128, 2, starts);
        Assert.InRange(starts[1], 94, 98);   // 3/4 of 128 = 96
        // Far apart paces stop at half an equal share; a product of two tiles still gives each thread one.
        for (var i = 0; i < 100; i++)
        {
            balance.Cut(entry, 128, 2, starts);
            balance.Record(entry, 2, starts, [1, 1_000_000]);
        }
        balance.Cut(entry, 128, 2, starts);
        Assert.Equal(96, starts[1]);
        balance.Cut(entry, 2, 2, starts);
        Assert.Equal([0, 1, 2], starts);
    }

    [Fact]
    public void MeasurementsWithAnIdleShardChangeNothing()
    {
        var balance = new SplitBalance(2);
        var entry = balance.Entry(64, 64, 64, SplitAxis.Columns, 2);
        balance.Record(entry, 2, [0, 2, 2], [100, 100]);
        var starts = new int[3];
        balance.Cut(entry, 10, 2, starts);
        Assert.Equal(5, starts[1]);
    }

    /// <summary>
    /// Shares skewed far from equal (as after a run on unequal cores) still give every product exactly the one-thread
    /// result: tiles move between threads whole, with the same blocking.
    /// </summary>
    [Theory]
    [InlineData(64, 784, 255)]
    [InlineData(100, 513, 530)]
    public void SkewedSharesEqualOneThreadExactly(int batch, int inFeatures, int outFeatures)
    {
        // Balanced splits belong to the packed path (512-bit vectors, or AVX2 + FMA).
        if (!PackedGemm.IsAvailable)
            return;
        float[] w = TestData.Random(outFeatures * inFeatures, 21), x = TestData.Random(batch * inFeatures, 22);
        float[] dy = TestData.Random(batch * outFeatures, 23), dw0 = TestData.Random(w.Length, 24);
        var alone = Run(pool: null);
        using var pool = new WorkerPool(2);
        Run(pool);
        var balance = SplitGemm.Balance!;
        TestData.SkewPaces(balance, [1_000, 100]);
        var cut = new int[3];
        balance.Cut(0, 100, 2, cut);
        Assert.Equal(25, cut[1]);
        var skewed = Run(pool);
        Assert.Equal(alone.Y, skewed.Y);
        Assert.Equal(alone.Dw, skewed.Dw);
        Assert.Equal(alone.Dx, skewed.Dx);

        (float[] Y, float[] Dw, float[] Dx) Run(WorkerPool? pool)
        {
            float[] y = TestData.Filled(batch * outFeatures, float.NaN), dw = (float[])dw0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
            using (KernelThreads.Lend(pool))
            {
                DenseKernel.Forward(w, [], x, y, batch, inFeatures, outFeatures, ActivationEpilogue.Relu, 0f);
                DenseKernel.Backward(w, x, dy, dw, [], dx, batch, inFeatures, outFeatures, GradientWrite.Accumulate);
            }
            return (y, dw, dx);
        }
    }

    /// <summary>
    /// A thread whose share grows past anything it computed before (the cut follows the cores' paces) finds its
    /// packing buffers already sized for the whole product: no allocation in the middle of a run.
    /// </summary>
    [Fact]
    public void SharesThatMoveAllocateNothing()
    {
        // Balanced splits belong to the packed path (512-bit vectors, or AVX2 + FMA).
        if (!PackedGemm.IsAvailable)
            return;
        const int batch = 100, inFeatures = 513, outFeatures = 530;
        float[] w = TestData.Random(outFeatures * inFeatures, 51), x = TestData.Random(batch * inFeatures, 52), dy = TestData.Random(batch * outFeatures, 53);
        float[] y = new float[batch * outFeatures], dw = new float[w.Length], dx = new float[x.Length];
        using var pool = new WorkerPool(2);
        using var lent = KernelThreads.Lend(pool);
        // Warm-up at equal shares (whichever thread happens to claim what), as a training run's first steps would be.
        for (var i = 0; i < 3; i++)
            Run();
        var balance = SplitGemm.Balance!;
        long allocated = 0, workersBefore = pool.WorkerAllocatedBytes;
        foreach (long slower in new long[] { 100, 10_000, 1 })
        {
            // Thread 0 fast, then slow, then fast again: each thread's share swings between a quarter and three quarters.
            TestData.SkewPaces(balance, [slower, 1_000]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run();
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
        Assert.Equal(workersBefore, pool.WorkerAllocatedBytes);

        void Run()
        {
            DenseKernel.Forward(w, [], x, y, batch, inFeatures, outFeatures, ActivationEpilogue.Relu, 0f, ActivationLayout.FeatureMajor, ActivationLayout.FeatureMajor);
            DenseKernel.Backward(w, x, dy, dw, [], dx, batch, inFeatures, outFeatures, GradientWrite.Overwrite, ActivationLayout.FeatureMajor, ActivationLayout.FeatureMajor);
            DenseKernel.Forward(w, [], x, y, batch, inFeatures, outFeatures, ActivationEpilogue.Relu, 0f, ActivationLayout.BatchMajor, ActivationLayout.BatchMajor);
            DenseKernel.Backward(w, x, dy, dw, [], dx, batch, inFeatures, outFeatures, GradientWrite.Overwrite, ActivationLayout.BatchMajor, ActivationLayout.BatchMajor);
        }
    }
}
