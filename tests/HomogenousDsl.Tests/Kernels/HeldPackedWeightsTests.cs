using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Weights packed once while a caller holds them fixed: packed as <see cref="WholeBGemm"/> packs them, found again by
/// address and shape within the hold, forgotten when the outermost hold ends, and never kept outside one; a layer that
/// reads them gives the bits it gives unheld.
/// </summary>
public sealed unsafe class HeldPackedWeightsTests
{
    private const int N = 40, K = 77;
    private const ActivationLayout Batch = ActivationLayout.BatchMajor, Feature = ActivationLayout.FeatureMajor;

    [Fact]
    public void NothingIsKeptOutsideAHold()
    {
        float[] w = TestData.Random(N * K, 1);
        fixed (float* pw = w)
        fixed (int* rows = Offsets(K, 1), columns = Offsets(N, K))
        {
            Assert.False(HeldPackedWeights.IsHeld);
            Assert.True(HeldPackedWeights.Find(Transposed(pw, rows, columns), pw, N, K) == null);
        }
    }

    [Fact]
    public void AnOperandIsPackedOnceWhileHeldAndForgottenWhenTheOutermostHoldEnds()
    {
        float[] w = TestData.Random(N * K, 2);
        fixed (float* pw = w)
        fixed (int* rows = Offsets(K, 1), columns = Offsets(N, K))
        {
            var wt = Transposed(pw, rows, columns);
            var before = Packed(wt);
            using (HeldPackedWeights.Hold())
            {
                float* first;
                using (HeldPackedWeights.Hold())
                {
                    first = HeldPackedWeights.Find(wt, pw, N, K);
                    Assert.Equal(before, Copy(first));
                    // Within the hold the weights are promised fixed: a second call finds the first packing.
                    w[0] += 1f;
                    Assert.True(HeldPackedWeights.Find(wt, pw, N, K) == first);
                    // Another shape at the same address is another operand.
                    Assert.True(HeldPackedWeights.Find(wt, pw, N, K - 1) != first);
                }
                // An inner hold's end forgets nothing.
                Assert.True(HeldPackedWeights.Find(wt, pw, N, K) == first);
                Assert.Equal(before, Copy(first));
            }
            Assert.False(HeldPackedWeights.IsHeld);
            using (HeldPackedWeights.Hold())
                Assert.Equal(Packed(wt), Copy(HeldPackedWeights.Find(wt, pw, N, K)));
            Assert.NotEqual(before, Packed(wt));
        }
    }

    /// <summary>
    /// A long batch-major input into a feature-major output packs Wᵀ (<see cref="DenseGemm.SamplesAsRows"/>): held, in
    /// three chunks of one call and again in a second call, it gives the unheld bits; weights changed between two holds
    /// are packed again.
    /// </summary>
    [Fact]
    public void AHeldLayerGivesTheUnheldBitsAndSeesWeightsChangedBetweenHolds()
    {
        const int batch = 1100;
        if (!DenseGemm.SamplesAsRows(Batch, Feature, DenseGemm.ForwardChunkFor(batch), N))
            return;
        float[] w = TestData.Random(N * K, 3), x = TestData.Random(batch * K, 4);
        for (var change = 0; change < 2; change++)
        {
            w[change * 7] -= 0.5f;
            var unheld = Forward(w, x, batch);
            using (HeldPackedWeights.Hold())
            {
                Assert.Equal(unheld, Forward(w, x, batch));
                Assert.Equal(unheld, Forward(w, x, batch));
            }
        }
    }

    /// <summary>
    /// The packed product reads a whole packed B (as kept) block by block: over several k blocks and column blocks,
    /// ragged at both ends, it gives the bits of packing each block itself.
    /// </summary>
    [Theory]
    [InlineData(37, 1100, 300)]
    [InlineData(64, 40, 784)]
    public void AWholePackedBServesEveryBlockOfTheProduct(int m, int n, int k)
    {
        if (!PackedGemm.IsAvailable)
            return;
        float[] a = TestData.Random(m * k, 5), b = TestData.Random(k * n, 6);
        float[] expected = new float[m * n], actual = new float[m * n];
        fixed (float* pa = a, pb = b, pe = expected, pc = actual)
        fixed (int* ar = Offsets(m, k), ac = Offsets(k, 1), br = Offsets(k, n), bc = Offsets(n, 1))
        {
            OffsetMatrix aMatrix = new(pa, ar, ac, columnStride: 1), bMatrix = new(pb, br, bc, columnStride: 1);
            PackedGemm.Multiply(aMatrix, bMatrix, pe, n, m, n, k, accumulate: false);
            var whole = new float[WholeBGemm.Floats(n, k) + 16];
            fixed (float* pw = whole)
            {
                float* aligned = (float*)(((nuint)pw + 63) & ~(nuint)63);
                WholeBGemm.PackInto(bMatrix, n, k, aligned);
                PackedGemm.Multiply(aMatrix, bMatrix, pc, n, m, n, k, accumulate: false, wholeB: aligned);
            }
        }
        Assert.Equal(expected, actual);
    }

    private static float[] Forward(float[] w, float[] x, int batch)
    {
        var y = TestData.Filled(batch * N, float.NaN);
        DenseKernel.Forward(w, [], x, y, batch, K, N, ActivationEpilogue.Relu, 0f, Batch, Feature);
        return y;
    }

    // Wᵀ of a row-major N × K matrix, as the layer reads it: K rows, N columns K floats apart.
    private static OffsetMatrix Transposed(float* w, int* rows, int* columns) => new(w, rows, columns, columnStride: K);

    private static float[] Packed(in OffsetMatrix wt) => Copy(WholeBGemm.Pack(wt, N, K));

    private static float[] Copy(float* packed) => new Span<float>(packed, (int)WholeBGemm.Floats(N, K) - GemmPacking.Slack).ToArray();

    private static int[] Offsets(int count, int stride) => Enumerable.Range(0, count).Select(i => i * stride).ToArray();
}
