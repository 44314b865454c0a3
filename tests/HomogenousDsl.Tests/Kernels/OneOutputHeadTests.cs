using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// A one-output layer above the first-layer pair, its backward pass taken by rows inside the pair's dispatch
/// (<see cref="OneOutputHead"/>, <see cref="DenseKernel.BackwardFromOneOutput"/>): every output — the head's input
/// adjoint and weight gradient, the pair's three results — equals, bit for bit, the head's own backward call followed
/// by the pair on the same pool, and on one thread the two calls that run instead; on odd sizes, for each activation
/// below the head and both ways of writing gradients.
/// </summary>
public sealed class OneOutputHeadTests
{
    private const ActivationLayout Feature = ActivationLayout.FeatureMajor;

    public static TheoryData<int, ActivationEpilogue, GradientWrite> Cases()
    {
        var data = new TheoryData<int, ActivationEpilogue, GradientWrite>();
        foreach (var threads in new[] { 2, 3 })
        foreach (var activation in new[] { ActivationEpilogue.Relu, ActivationEpilogue.LeakyRelu, ActivationEpilogue.None })
        foreach (var write in new[] { GradientWrite.Overwrite, GradientWrite.Accumulate })
            data.Add(threads, activation, write);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void TheHeadInsideThePairsDispatchEqualsItsOwnCallExactly(int threads, ActivationEpilogue headActivation, GradientWrite write)
    {
        if (!PackedGemm.IsAvailable)
            return;
        var net = new ThreeLayers(batch: 45, inFeatures: 157, hiddenFeatures: 203, upperFeatures: 131, headActivation, write);
        using var pool = new WorkerPool(threads);
        using (KernelThreads.Lend(pool))
        {
            var expected = net.RunAsSeparateCalls();
            var fused = net.RunFused(expectDispatch: true);
            net.AssertEqual(expected, fused);
            // Through the public entry, which takes the same dispatch.
            net.AssertEqual(expected, net.RunPublic());
        }
    }

    [Fact]
    public void WithoutAPoolTheSeparateCallsRun()
    {
        var net = new ThreeLayers(45, 157, 203, 131, ActivationEpilogue.Relu, GradientWrite.Overwrite);
        using (KernelThreads.Lend(null))
        {
            net.RunFused(expectDispatch: false);
            net.AssertEqual(net.RunAsSeparateCalls(), net.RunPublic());
        }
    }

    [Fact]
    public void ArgumentsAreCheckedBeforeAnythingRuns()
    {
        float[] six = new float[6], many = new float[64];
        // Four samples through a two-feature upper layer need 8 floats of the head's input; 6 are given.
        var tooShort = Assert.Throws<ArgumentException>(() => DenseKernel.BackwardFromOneOutput(many, six, many, many, many, ActivationEpilogue.Relu, 0f,
            many, many, many, many, many, many, many, 4, 2, 2, 2, GradientWrite.Overwrite, ActivationLayout.BatchMajor, ActivationEpilogue.None, 0f));
        Assert.Contains("6 elements given, 8 required", tooShort.Message);
        var slope = Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernel.BackwardFromOneOutput(many, many, many, many, many, ActivationEpilogue.LeakyRelu, 0f,
            many, many, many, many, many, many, many, 4, 2, 2, 2, GradientWrite.Overwrite, ActivationLayout.BatchMajor, ActivationEpilogue.None, 0f));
        Assert.Equal("upperSlope", slope.ParamName);
        // The pair reads the head's input adjoint as its own output adjoint: two different spans are refused.
        var elsewhere = Assert.Throws<ArgumentException>(() => FirstLayerPairBackward.TryRun(
            new OneOutputHead { Weight = many, Input = many, OutputAdjoint = many, WeightGradient = many, InputAdjoint = many.AsSpan(8) },
            many, many, many.AsSpan(0, 32), many, many, many, many, many, 4, 2, 2, 2, GradientWrite.Overwrite,
            ActivationLayout.BatchMajor, Feature, Feature, ActivationEpilogue.None, 0f));
        Assert.Equal("outputAdjoint", elsewhere.ParamName);
    }

    /// <summary>
    /// A one-output layer over a pair, random operands; each run starts from the same gradients (for accumulating) and
    /// poisoned adjoints, so a row nobody wrote shows as NaN.
    /// </summary>
    private sealed class ThreeLayers(int batch, int inFeatures, int hiddenFeatures, int upperFeatures, ActivationEpilogue headActivation, GradientWrite write)
    {
        private readonly float[] _v = TestData.Random(upperFeatures, 21), _u = Relu(TestData.Random(upperFeatures * batch, 22));
        private readonly float[] _dz = TestData.Random(batch, 23), _dv0 = TestData.Random(upperFeatures, 24);
        private readonly float[] _w = TestData.Random(upperFeatures * hiddenFeatures, 11), _w1 = TestData.Random(hiddenFeatures * inFeatures, 12);
        private readonly float[] _x = TestData.Random(batch * inFeatures, 13), _h = Relu(TestData.Random(hiddenFeatures * batch, 14));
        private readonly float[] _dw0 = TestData.Random(upperFeatures * hiddenFeatures, 16), _dw10 = TestData.Random(hiddenFeatures * inFeatures, 17);
        private readonly float _headSlope = headActivation == ActivationEpilogue.LeakyRelu ? 0.25f : 0f;

        public Results RunAsSeparateCalls()
        {
            var r = Fresh();
            DenseKernel.Backward(_v, _u, _dz, r.Dv, [], r.Du, batch, upperFeatures, 1, write, Feature, Feature, headActivation, _headSlope);
            DenseKernel.BackwardWithFirstLayer(_w, _h, r.Du, r.Dw, r.Dh, _w1, _x, r.Dw1, batch, inFeatures, hiddenFeatures, upperFeatures, write,
                ActivationLayout.BatchMajor, Feature, Feature, ActivationEpilogue.Relu, 0f);
            return r;
        }

        public Results RunFused(bool expectDispatch)
        {
            var r = Fresh();
            var head = new OneOutputHead
            {
                Weight = _v, Input = _u, OutputAdjoint = _dz, WeightGradient = r.Dv, InputAdjoint = r.Du, Activation = headActivation, Slope = _headSlope,
            };
            Assert.Equal(expectDispatch, FirstLayerPairBackward.TryRun(head, _w, _h, r.Du, r.Dw, r.Dh, _w1, _x, r.Dw1, batch, inFeatures, hiddenFeatures,
                upperFeatures, write, ActivationLayout.BatchMajor, Feature, Feature, ActivationEpilogue.Relu, 0f));
            return r;
        }

        public Results RunPublic()
        {
            var r = Fresh();
            DenseKernel.BackwardFromOneOutput(_v, _u, _dz, r.Dv, r.Du, headActivation, _headSlope, _w, _h, r.Dw, r.Dh, _w1, _x, r.Dw1,
                batch, inFeatures, hiddenFeatures, upperFeatures, write, ActivationLayout.BatchMajor, ActivationEpilogue.Relu, 0f);
            return r;
        }

        public void AssertEqual(Results expected, Results actual)
        {
            Assert.Equal(expected.Du, actual.Du);
            Assert.Equal(expected.Dv, actual.Dv);
            Assert.Equal(expected.Dh, actual.Dh);
            Assert.Equal(expected.Dw, actual.Dw);
            Assert.Equal(expected.Dw1, actual.Dw1);
            Assert.DoesNotContain(actual.Du, float.IsNaN);
            Assert.Contains(actual.Dv, g => g != 0);
        }

        private Results Fresh() => new(TestData.Filled(upperFeatures * batch, float.NaN), (float[])_dv0.Clone(), TestData.Filled(hiddenFeatures * batch, float.NaN),
            (float[])_dw0.Clone(), (float[])_dw10.Clone());

        private static float[] Relu(float[] values) => values.Select(static v => Math.Max(v, 0f)).ToArray();
    }

    private sealed record Results(float[] Du, float[] Dv, float[] Dh, float[] Dw, float[] Dw1);
}
