using System.Runtime.Intrinsics;
using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// The constant step a dense layer takes while storing its weight gradient (<see cref="FusedUpdate"/>) against the
/// plain sequence: backward, then θ ← fma(factor, g, θ) over the weights. Bit for bit, on one and several threads.
/// </summary>
public sealed unsafe class FusedUpdateTests
{
    private const int Before = 5, After = 3;   // other parameters around the layer's weights, which must stay untouched
    private const float Factor = -0.37f;

    /// <summary>
    /// (batch, in, out, threads): odd sizes with edge tiles on both sides; a batch of 300 (two k blocks, the step taken
    /// in the second); products large enough to split by rows across two and three threads.
    /// </summary>
    [Theory]
    [InlineData(23, 45, 37, 1)]
    [InlineData(300, 37, 67, 1)]
    [InlineData(100, 120, 96, 2)]
    [InlineData(71, 301, 203, 3)]
    public void StepTakenInTheGradientStoreEqualsBackwardThenUpdate(int batch, int inFeatures, int outFeatures, int threads)
    {
        var count = outFeatures * inFeatures;
        float[] x = TestData.Random(batch * inFeatures, 21), dy = TestData.Random(batch * outFeatures, 22);
        float[] parameters = TestData.Random(Before + count + After, 23);

        // Expected: the unfused backward on the old weights, then the update over the weight range.
        float[] expectedParameters = (float[])parameters.Clone(), expectedGradient = TestData.Filled(parameters.Length, 9f);
        float[] expectedDx = TestData.Filled(x.Length, float.NaN);
        DenseKernel.Backward(expectedParameters.AsSpan(Before, count), x, dy, expectedGradient.AsSpan(Before, count), [], expectedDx,
            batch, inFeatures, outFeatures, GradientWrite.Overwrite);
        Assert.True(VectorMath.AxpyAllFinite(Factor, expectedGradient.AsSpan(Before, count), expectedParameters.AsSpan(Before, count)));

        float[] gradient = TestData.Filled(parameters.Length, 9f), dx = TestData.Filled(x.Length, float.NaN);
        var step = Backward(parameters, gradient, x, dy, dx, batch, inFeatures, outFeatures, threads, GradientWrite.Overwrite);

        Assert.Equal(expectedDx, dx);
        Assert.Equal(expectedGradient, gradient);
        Assert.Equal(expectedParameters, parameters);
        Assert.True(step.Finite);
        if (Vector512.IsHardwareAccelerated)
            Assert.Equal(new[] { (Before, count) }, step.Applied.ToArray());
        else
            Assert.True(step.Applied.IsEmpty);   // no packed product to fuse into: the caller updates everything
    }

    /// <summary>Accumulating onto an earlier block's gradient leaves the step to the caller: the sum is not final yet.</summary>
    [Fact]
    public void AccumulatingBackwardTakesNoStep()
    {
        const int batch = 23, inFeatures = 45, outFeatures = 37;
        float[] x = TestData.Random(batch * inFeatures, 24), dy = TestData.Random(batch * outFeatures, 25);
        float[] parameters = TestData.Random(Before + outFeatures * inFeatures + After, 26), original = (float[])parameters.Clone();
        var step = Backward(parameters, new float[parameters.Length], x, dy, new float[x.Length], batch, inFeatures, outFeatures, 1, GradientWrite.Accumulate);
        Assert.True(step.Applied.IsEmpty);
        Assert.Equal(original, parameters);
    }

    /// <summary>Weights that are not the parameters matching the gradient range are never stepped.</summary>
    [Fact]
    public void WeightsOutsideTheStepsParametersAreLeftAlone()
    {
        const int batch = 23, inFeatures = 45, outFeatures = 37, count = outFeatures * inFeatures;
        float[] x = TestData.Random(batch * inFeatures, 27), dy = TestData.Random(batch * outFeatures, 28);
        float[] parameters = TestData.Random(Before + count + After, 29), gradient = new float[parameters.Length];
        float[] elsewhere = parameters.AsSpan(Before, count).ToArray(), original = (float[])parameters.Clone();
        var step = new FusedUpdate(maxRanges: 2);
        fixed (float* p = parameters, g = gradient)
        {
            step.Begin(p, g, parameters.Length, Factor);
            using (FusedUpdate.Lend(step))
            {
                // Right gradient range, weights from another array; then weights one float off the matching range.
                DenseKernel.Backward(elsewhere, x, dy, gradient.AsSpan(Before, count), [], [], batch, inFeatures, outFeatures, GradientWrite.Overwrite);
                DenseKernel.Backward(parameters.AsSpan(Before + 1, count), x, dy, gradient.AsSpan(Before, count), [], [], batch, inFeatures, outFeatures, GradientWrite.Overwrite);
            }
            step.End();
        }
        Assert.True(step.Applied.IsEmpty);
        Assert.Equal(original, parameters);
    }

    /// <summary>A non-finite gradient entry, in a full tile or in an edge tile, makes the step report non-finite parameters.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(44)]
    public void NonFiniteParametersAreReported(int poisonedFeature)
    {
        const int batch = 23, inFeatures = 45, outFeatures = 37;
        if (!Vector512.IsHardwareAccelerated)
            return;
        float[] x = TestData.Random(batch * inFeatures, 30), dy = TestData.Random(batch * outFeatures, 31);
        x[3 * inFeatures + poisonedFeature] = float.PositiveInfinity;
        float[] parameters = TestData.Random(Before + outFeatures * inFeatures + After, 32);
        var step = Backward(parameters, new float[parameters.Length], x, dy, new float[x.Length], batch, inFeatures, outFeatures, 1, GradientWrite.Overwrite);
        Assert.False(step.Applied.IsEmpty);
        Assert.False(step.Finite);
    }

    private static FusedUpdate Backward(float[] parameters, float[] gradient, float[] x, float[] dy, float[] dx,
        int batch, int inFeatures, int outFeatures, int threads, GradientWrite write)
    {
        var count = outFeatures * inFeatures;
        var step = new FusedUpdate(maxRanges: 2);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        fixed (float* p = parameters, g = gradient)
        {
            step.Begin(p, g, parameters.Length, Factor);
            using (KernelThreads.Lend(pool))
            using (FusedUpdate.Lend(step))
                DenseKernel.Backward(parameters.AsSpan(Before, count), x, dy, gradient.AsSpan(Before, count), [], dx, batch, inFeatures, outFeatures, write);
            step.End();
        }
        return step;
    }
}
