using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// A worker shard of a split product reads its own copy of the gathered input wherever the product reads the shared
/// buffer, at the same offsets; the calling thread's shard and every other operand are read as given.
/// </summary>
public sealed unsafe class InputMirrorTests
{
    [Fact]
    public void WorkerShardsReadTheirCopyAtTheSameOffsetsAndNothingElseMoves()
    {
        var shared = GC.AllocateArray<float>(100, pinned: true);
        var other = GC.AllocateArray<float>(100, pinned: true);
        var mirror = new InputMirror(shared, shards: 3);
        Assert.Same(shared, mirror.RowsOf(0));
        Assert.NotSame(mirror.RowsOf(1), mirror.RowsOf(2));
        Assert.Equal(shared.Length, mirror.RowsOf(2).Length);
        int[] rows = [0, 10], columns = [0, 1];
        fixed (float* s = shared, o = other, copy = mirror.RowsOf(2))
        fixed (int* r = rows, c = columns)
        {
            var view = new OffsetMatrix(s + 10, r, c, overread: true, columnStride: 1);
            var moved = mirror.For(view, 2);
            Assert.True(moved.Source == copy + 10);
            Assert.True(moved.RowOffsets == r && moved.ColumnOffsets == c && moved.Overread && moved.ColumnStride == 1);
            Assert.True(mirror.For(view, 0).Source == s + 10);
            Assert.True(mirror.For(new OffsetMatrix(o, r, c), 2).Source == o);
            Assert.True(mirror.For(new OffsetMatrix(s + 100, r, c), 2).Source == s + 100);
        }
    }

    /// <summary>
    /// With a copy that differs from the shared rows (twice them, which doubles every product exactly), the columns the
    /// worker computes come out doubled and the caller's do not: the split reads each shard's own rows.
    /// </summary>
    [Fact]
    public void ASplitProductsWorkerReadsItsCopyOfTheInput()
    {
        if (!PackedGemm.IsAvailable)
            return;
        const int m = 64, n = 96, k = 203;
        float[] a = TestData.Random(m * k, 71);
        var shared = GC.AllocateArray<float>(k * n, pinned: true);
        TestData.Random(k * n, 72).CopyTo(shared, 0);
        var mirror = new InputMirror(shared, shards: 2);
        for (var i = 0; i < shared.Length; i++)
            mirror.RowsOf(1)[i] = 2 * shared[i];
        float[] single = new float[m * n], doubled = new float[m * n], split = new float[m * n];
        using var pool = new WorkerPool(2);
        fixed (float* pa = a, ps = shared, pd = mirror.RowsOf(1), c1 = single, c2 = doubled, cs = split)
        fixed (int* ar = Offsets(m, k), ac = Offsets(k, 1), br = Offsets(k, n), bc = Offsets(n, 1))
        {
            var aMatrix = new OffsetMatrix(pa, ar, ac, columnStride: 1);
            PackedGemm.Multiply(aMatrix, new OffsetMatrix(ps, br, bc, columnStride: 1), c1, n, m, n, k, accumulate: false);
            PackedGemm.Multiply(aMatrix, new OffsetMatrix(pd, br, bc, columnStride: 1), c2, n, m, n, k, accumulate: false);
            using (KernelThreads.Lend(pool))
            using (InputMirror.Lend(mirror))
                Assert.True(SplitGemm.TryRun(aMatrix, new OffsetMatrix(ps, br, bc, columnStride: 1), cs, n, m, n, k, accumulate: false, SplitAxis.Columns));
        }
        // A cut split gives each shard at least one whole panel of 32 columns, the caller's first.
        var panels = Enumerable.Range(0, n / 32).Select(p => Panel(split, p)).ToArray();
        Assert.Equal(Panel(single, 0), panels[0]);
        Assert.Equal(Panel(doubled, panels.Length - 1), panels[^1]);
        for (var p = 0; p < panels.Length; p++)
            Assert.True(panels[p].SequenceEqual(Panel(single, p)) || panels[p].SequenceEqual(Panel(doubled, p)), $"panel {p} mixes the two inputs");
    }

    [Fact]
    public void OnlyNetworksWhoseInputGoesStraightIntoADenseLayerMirrorIt()
    {
        Assert.True(ParallelPlan.ReadsInputInDenseProducts(HomogenousDsl.Tests.Training.DigitsMlp.Description));
        Assert.False(ParallelPlan.ReadsInputInDenseProducts(HomogenousDsl.Tests.Training.DigitsCnn.Description));
    }

    private static float[] Panel(float[] c, int panel)
    {
        const int n = 96;
        return Enumerable.Range(0, c.Length / n).SelectMany(row => c.AsSpan(row * n + panel * 32, 32).ToArray()).ToArray();
    }

    private static int[] Offsets(int count, int stride) => Enumerable.Range(0, count).Select(i => i * stride).ToArray();
}
