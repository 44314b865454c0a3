using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// The backward pass of the first two dense layers as one dispatch (<see cref="FirstLayerPairBackward"/>): the upper
/// weight gradient equals, bit for bit, the two layers' backward calls made one after the other on one thread; the
/// hidden adjoint equals the sum, in shard order, of one-thread products over the shards' even cuts of the upper rows,
/// carried back through the activation, and the first layer's gradient is one thread's product of that adjoint; for
/// every activation that folds into the adjoint, both input layouts and both ways of writing gradients, on odd sizes
/// and on cuts the learned paces skew. Where it cannot run, the two calls run instead.
/// </summary>
public sealed class FirstLayerPairTests
{
    private const ActivationLayout Batch = ActivationLayout.BatchMajor, Feature = ActivationLayout.FeatureMajor;

    public static TheoryData<int, ActivationEpilogue, ActivationLayout, GradientWrite> Cases()
    {
        var data = new TheoryData<int, ActivationEpilogue, ActivationLayout, GradientWrite>();
        foreach (var threads in new[] { 2, 3 })
        foreach (var activation in new[] { ActivationEpilogue.Relu, ActivationEpilogue.LeakyRelu, ActivationEpilogue.None })
        foreach (var layout in new[] { Batch, Feature })
        foreach (var write in new[] { GradientWrite.Overwrite, GradientWrite.Accumulate })
            data.Add(threads, activation, layout, write);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void OneDispatchEqualsTheShardsPartsSummedInOrderExactly(int threads, ActivationEpilogue activation, ActivationLayout inputLayout, GradientWrite write)
    {
        if (!PackedGemm.IsAvailable)
            return;
        var pair = new Pair(batch: 45, inFeatures: 157, hiddenFeatures: 203, outFeatures: 131, activation, inputLayout, write);
        var expected = pair.RunAsShardParts(threads);
        using var pool = new WorkerPool(threads);
        using (KernelThreads.Lend(pool))
        {
            var actual = pair.Run(expectDispatch: true);
            pair.AssertEqual(expected, actual);
            // Cuts far from equal (thread 0 at a tenth of the others' pace) move rows, not bits.
            TestData.SkewPaces(FirstLayerPairBackward.Balance!, threads == 2 ? [1_000, 100] : [1_000, 100, 100]);
            pair.AssertEqual(expected, pair.Run(expectDispatch: true));
        }
        // The upper layer's gradient is one thread's; the others differ from it by the rounding of the adjoint's sum.
        var oneThread = pair.RunAsTwoCalls();
        Assert.Equal(oneThread.Dw, expected.Dw);
        TestData.AssertClose(oneThread.Dh.Select(static v => (double)v).ToArray(), expected.Dh, 1e-5);
        TestData.AssertClose(oneThread.Dw1.Select(static v => (double)v).ToArray(), expected.Dw1, 1e-5);
    }

    [Fact]
    public void WithoutAPoolOrWithProductsTooSmallToSplitTheTwoCallsRun()
    {
        if (!PackedGemm.IsAvailable)
            return;
        var alone = new Pair(45, 157, 203, 131, ActivationEpilogue.Relu, Batch, GradientWrite.Overwrite);
        alone.AssertEqual(alone.RunAsTwoCalls(), alone.Run(expectDispatch: false));
        using var pool = new WorkerPool(2);
        using var lent = KernelThreads.Lend(pool);
        // A one-output layer above (no second row tile) and a small batch (too few multiply-adds to split).
        var narrow = new Pair(64, 100, 40, 1, ActivationEpilogue.Relu, Batch, GradientWrite.Overwrite);
        narrow.AssertEqual(narrow.RunAsTwoCalls(), narrow.Run(expectDispatch: false));
        var small = new Pair(5, 30, 40, 24, ActivationEpilogue.LeakyRelu, Feature, GradientWrite.Accumulate);
        small.AssertEqual(small.RunAsTwoCalls(), small.Run(expectDispatch: false));
    }

    [Fact]
    public void ArgumentsAreCheckedBeforeAnythingRuns()
    {
        float[] w = new float[6], h = new float[6], dy = new float[6], dw = new float[6], dh = new float[6], w1 = new float[6], x = new float[6], dw1 = new float[6];
        // Four samples of two hidden features need 8 floats of hidden activations; 6 are given.
        var tooShort = Assert.Throws<ArgumentException>(() => DenseKernel.BackwardWithFirstLayer(w, h, dy, dw, dh, w1, x, dw1, 4, 1, 2, 1, GradientWrite.Overwrite,
            Batch, Feature, Feature, ActivationEpilogue.None, 0f));
        Assert.Contains("6 elements given, 8 required", tooShort.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernel.BackwardWithFirstLayer(w, h, dy, dw, dh, w1, x, dw1, 2, 2, 2, 2, GradientWrite.Overwrite,
            Batch, Feature, Feature, ActivationEpilogue.LeakyRelu, 0f));
    }

    /// <summary>One pair's operands, random; each run starts from the same gradients (for accumulating) and a poisoned adjoint.</summary>
    private sealed class Pair(int batch, int inFeatures, int hiddenFeatures, int outFeatures, ActivationEpilogue activation, ActivationLayout inputLayout, GradientWrite write)
    {
        private readonly float[] _w = TestData.Random(outFeatures * hiddenFeatures, 11), _w1 = TestData.Random(hiddenFeatures * inFeatures, 12);
        private readonly float[] _x = TestData.Random(batch * inFeatures, 13), _h = Relu(TestData.Random(hiddenFeatures * batch, 14));
        private readonly float[] _dy = TestData.Random(outFeatures * batch, 15);
        private readonly float[] _dw0 = TestData.Random(outFeatures * hiddenFeatures, 16), _dw10 = TestData.Random(hiddenFeatures * inFeatures, 17);
        private readonly float _slope = activation == ActivationEpilogue.LeakyRelu ? 0.3f : 0f;

        public (float[] Dh, float[] Dw, float[] Dw1) RunAsTwoCalls()
        {
            var (dh, dw, dw1) = Fresh();
            using (KernelThreads.Lend(null))
            {
                DenseKernel.Backward(_w, _h, _dy, dw, [], dh, batch, hiddenFeatures, outFeatures, write, Feature, Feature, activation, _slope);
                DenseKernel.Backward(_w1, _x, dh, dw1, [], [], batch, inFeatures, hiddenFeatures, write, inputLayout, Feature);
            }
            return (dh, dw, dw1);
        }

        /// <summary>
        /// The pair as <paramref name="threads"/> shards compute it, from one-thread calls: each shard's part of the hidden
        /// adjoint over an even cut of the upper rows' 8-row tiles, the parts summed in shard order, then the activation's
        /// derivative, the first layer's product and the upper layer's as one thread computes them.
        /// </summary>
        public (float[] Dh, float[] Dw, float[] Dw1) RunAsShardParts(int threads)
        {
            var (dh, dw, dw1) = Fresh();
            int tiles = (outFeatures + GemmMicroKernel.Rows - 1) / GemmMicroKernel.Rows;
            using (KernelThreads.Lend(null))
            {
                for (var s = 0; s < threads; s++)
                {
                    int first = Math.Min(outFeatures, tiles * s / threads * GemmMicroKernel.Rows);
                    int end = Math.Min(outFeatures, tiles * (s + 1) / threads * GemmMicroKernel.Rows);
                    float[] part = new float[hiddenFeatures * batch], unused = new float[(end - first) * hiddenFeatures];
                    DenseKernel.Backward(_w.AsSpan(first * hiddenFeatures, (end - first) * hiddenFeatures), _h, _dy.AsSpan(first * batch, (end - first) * batch),
                        unused, [], part, batch, hiddenFeatures, end - first, GradientWrite.Overwrite, Feature, Feature);
                    for (var i = 0; i < part.Length; i++)
                        dh[i] = s == 0 ? part[i] : dh[i] + part[i];
                }
                ActivationDerivative.Apply(activation, _slope, _h, dh);
                DenseKernel.Backward(_w, _h, _dy, dw, [], [], batch, hiddenFeatures, outFeatures, write, Feature, Feature);
                DenseKernel.Backward(_w1, _x, dh, dw1, [], [], batch, inFeatures, hiddenFeatures, write, inputLayout, Feature);
            }
            return (dh, dw, dw1);
        }

        public (float[] Dh, float[] Dw, float[] Dw1) Run(bool expectDispatch)
        {
            var (dh, dw, dw1) = Fresh();
            Assert.Equal(expectDispatch, FirstLayerPairBackward.TryRun(_w, _h, _dy, dw, dh, _w1, _x, dw1, batch, inFeatures, hiddenFeatures, outFeatures,
                write, inputLayout, Feature, Feature, activation, _slope));
            if (!expectDispatch)
            {
                (dh, dw, dw1) = Fresh();
                DenseKernel.BackwardWithFirstLayer(_w, _h, _dy, dw, dh, _w1, _x, dw1, batch, inFeatures, hiddenFeatures, outFeatures, write,
                    inputLayout, Feature, Feature, activation, _slope);
            }
            return (dh, dw, dw1);
        }

        public void AssertEqual((float[] Dh, float[] Dw, float[] Dw1) expected, (float[] Dh, float[] Dw, float[] Dw1) actual)
        {
            Assert.Equal(expected.Dh, actual.Dh);
            Assert.Equal(expected.Dw, actual.Dw);
            Assert.Equal(expected.Dw1, actual.Dw1);
            Assert.Contains(actual.Dw1, g => g != 0);
        }

        private (float[] Dh, float[] Dw, float[] Dw1) Fresh()
            => (TestData.Filled(hiddenFeatures * batch, float.NaN), (float[])_dw0.Clone(), (float[])_dw10.Clone());

        private static float[] Relu(float[] values) => values.Select(static v => Math.Max(v, 0f)).ToArray();
    }
}
