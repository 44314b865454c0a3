using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Fused activation epilogues and the activation derivative folded into max-pool backward, each against the unfused
/// sequence of kernels, bit for bit. Data are multiples of ½ so that sums are exact: many pre-activations are exactly 0
/// (the kinks), some −0, and pooling windows tie.
/// </summary>
public sealed class FusedActivationTests
{
    public static TheoryData<ActivationEpilogue, float> Activations => new()
    {
        { ActivationEpilogue.Relu, 0f }, { ActivationEpilogue.LeakyRelu, 0.3f }, { ActivationEpilogue.LeakyRelu, 1.5f },
    };

    public static TheoryData<int, int, int, ActivationEpilogue, float> DenseCases()
    {
        var cases = new TheoryData<int, int, int, ActivationEpilogue, float>();
        foreach (var row in DenseKernelTests.Shapes)
        foreach (var activation in Activations)
            cases.Add((int)row[0], (int)row[1], (int)row[2], (ActivationEpilogue)activation[0], (float)activation[1]);
        return cases;
    }

    public static TheoryData<int, int, int, int, int, int, int, ActivationEpilogue> ConvCases()
    {
        var cases = new TheoryData<int, int, int, int, int, int, int, ActivationEpilogue>();
        foreach (var row in Conv2dKernelTests.Shapes)
        {
            foreach (var activation in new[] { ActivationEpilogue.Relu, ActivationEpilogue.LeakyRelu })
                cases.Add((int)row[0], (int)row[1], (int)row[2], (int)row[3], (int)row[4], (int)row[5], (int)row[6], activation);
        }
        // Large enough for the packed convolution (its epilogue is the fused store).
        cases.Add(1, 12, 13, 8, 3, 1, 1, ActivationEpilogue.Relu);
        cases.Add(3, 9, 9, 16, 5, 1, 2, ActivationEpilogue.LeakyRelu);
        // The direct small-patch convolution (stride 1, PatchSize ≤ 32), partial channel blocks and partial registers.
        cases.Add(1, 28, 28, 32, 5, 1, 2, ActivationEpilogue.Relu);
        cases.Add(1, 13, 11, 7, 5, 1, 0, ActivationEpilogue.Relu);
        cases.Add(2, 11, 9, 5, 3, 1, 3, ActivationEpilogue.LeakyRelu);
        return cases;
    }

    [Theory, MemberData(nameof(DenseCases))]
    public void DenseForwardWithEpilogueEqualsForwardThenActivation(int batch, int inFeatures, int outFeatures, ActivationEpilogue activation, float slope)
    {
        float[] w = Halves(outFeatures * inFeatures, 1), b = Halves(outFeatures, 2), x = Halves(batch * inFeatures, 3);
        // Output 0 is exactly zero for every sample (a zero weight row and bias), whatever else cancels.
        Array.Clear(w, 0, inFeatures);
        b[0] = 0f;
        foreach (var bias in new[] { b, [] })
        {
            var expected = new float[batch * outFeatures];
            DenseKernel.Forward(w, bias, x, expected, batch, inFeatures, outFeatures);
            Assert.Contains(expected, static v => v == 0f);
            Activate(expected, activation, slope);
            float[] fused = TestData.Filled(expected.Length, float.NaN);
            DenseKernel.Forward(w, bias, x, fused, batch, inFeatures, outFeatures, activation, slope);
            AssertBitwiseEqual(expected, fused);
        }
    }

    [Theory, MemberData(nameof(ConvCases))]
    public void ConvForwardWithEpilogueEqualsForwardThenActivation(int inC, int h, int w, int outC, int k, int stride, int pad, ActivationEpilogue activation)
    {
        const int batch = 3;
        var s = new Conv2dShape(inC, h, w, outC, k, stride, pad);
        float[] weight = Halves(s.WeightSize, 4), b = Halves(outC, 5), x = Halves(batch * s.InputSize, 6), scratch = new float[Conv2dKernel.ScratchSize(s)];
        foreach (var bias in new[] { b, [] })
        {
            var expected = new float[batch * s.OutputSize];
            Conv2dKernel.Forward(weight, bias, x, expected, batch, s, scratch);
            Activate(expected, activation, 0.25f);
            float[] fused = TestData.Filled(expected.Length, float.NaN);
            Conv2dKernel.Forward(weight, bias, x, fused, batch, s, scratch, activation, 0.25f);
            AssertBitwiseEqual(expected, fused);
        }
    }

    /// <summary>Folding covers ReLU on every pooling shape (overlapping windows too) and LeakyReLU on non-overlapping ones.</summary>
    [Theory, MemberData(nameof(Pool2dKernelTests.Shapes), MemberType = typeof(Pool2dKernelTests))]
    public void MaxBackwardWithFoldedDerivativeEqualsBackwardThenActivationBackward(int c, int h, int w, int k, int stride)
    {
        const int batch = 3;
        var s = new Pool2dShape(c, h, w, k, stride);
        // Few levels, exact zeros and negative zeros in the pre-activation; an adjoint with −0 and zeros of its own.
        float[] z = Halves(batch * s.InputSize, 7).Select((v, i) => i % 11 == 0 ? -0f : v).ToArray();
        float[] dy = Halves(batch * s.OutputSize, 8).Select((v, i) => i % 7 == 0 ? -0f : v).ToArray();
        foreach (var (activation, slope) in new[] { (ActivationEpilogue.Relu, 0f), (ActivationEpilogue.LeakyRelu, 0.3f) })
        {
            if (activation == ActivationEpilogue.LeakyRelu && stride < k)
            {
                Assert.Throws<ArgumentException>(() => Pool2dKernel.MaxBackward(dy, new int[dy.Length], new float[dy.Length], new float[z.Length], batch, s, activation, slope));
                continue;
            }
            var a = (float[])z.Clone();
            Activate(a, activation, slope);
            var pooled = new float[dy.Length];
            var argmax = new int[dy.Length];
            Pool2dKernel.MaxForward(a, pooled, argmax, batch, s);

            var expected = new float[z.Length];
            Pool2dKernel.MaxBackward(dy, argmax, expected, batch, s);
            if (activation == ActivationEpilogue.Relu)
                ActivationKernel.ReluBackward(z, expected, expected);
            else
                ActivationKernel.LeakyReluBackward(z, expected, expected, slope);

            float[] folded = TestData.Filled(z.Length, float.NaN);
            Pool2dKernel.MaxBackward(dy, argmax, pooled, folded, batch, s, activation, slope);
            AssertBitwiseEqual(expected, folded);
        }
    }

    public static TheoryData<int, int, int, ActivationLayout, ActivationLayout, int> FoldedInputAdjointCases()
    {
        var cases = new TheoryData<int, int, int, ActivationLayout, ActivationLayout, int>();
        // Small products (an outer product split by rows where C has 8,192 floats or more); packed ones split by rows
        // (feature-major input) or by columns (batch-major), cut or claimed; one below the packed path's size.
        int[][] shapes = [[3, 17, 5], [16, 100, 1], [64, 256, 1], [33, 300, 1], [64, 256, 256], [33, 300, 201], [5, 1000, 300]];
        foreach (var shape in shapes)
        foreach (var inputLayout in new[] { ActivationLayout.BatchMajor, ActivationLayout.FeatureMajor })
        foreach (var outputLayout in new[] { ActivationLayout.BatchMajor, ActivationLayout.FeatureMajor })
        foreach (var threads in new[] { 1, 2, 3 })
            cases.Add(shape[0], shape[1], shape[2], inputLayout, outputLayout, threads);
        return cases;
    }

    /// <summary>
    /// The input adjoint carried back through the activation the input came out of equals the plain backward followed
    /// by that activation's backward in place, bit for bit, in every layout, on one thread and split; the parameter
    /// gradients do not change.
    /// </summary>
    [Theory, MemberData(nameof(FoldedInputAdjointCases))]
    public void DenseBackwardWithFoldedDerivativeEqualsBackwardThenActivationBackward(int batch, int inFeatures, int outFeatures,
        ActivationLayout inputLayout, ActivationLayout outputLayout, int threads)
    {
        float[] w = Halves(outFeatures * inFeatures, 9), dy = Halves(batch * outFeatures, 10);
        // A zero adjoint row: its products are −0 or +0 by the weights' signs, which the derivative must keep as they are.
        Array.Clear(dy, 0, Math.Min(dy.Length, outFeatures));
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        using var lent = KernelThreads.Lend(pool);
        foreach (var (activation, slope) in new[] { (ActivationEpilogue.Relu, 0f), (ActivationEpilogue.LeakyRelu, 0.3f) })
        {
            // The input is the activation's output: exact zeros (the kinks) and, from LeakyReLU, negatives.
            var x = Halves(batch * inFeatures, 11);
            Activate(x, activation, slope);
            float[] expectedGradient = new float[w.Length], expected = TestData.Filled(x.Length, float.NaN);
            DenseKernel.Backward(w, x, dy, expectedGradient, [], expected, batch, inFeatures, outFeatures, GradientWrite.Overwrite, inputLayout, outputLayout);
            if (activation == ActivationEpilogue.Relu)
                ActivationKernel.ReluBackward(x, expected, expected);
            else
                ActivationKernel.LeakyReluBackward(x, expected, expected, slope);
            Assert.Contains(expected, static v => v != 0f);

            float[] gradient = new float[w.Length], folded = TestData.Filled(x.Length, float.NaN);
            DenseKernel.Backward(w, x, dy, gradient, [], folded, batch, inFeatures, outFeatures, GradientWrite.Overwrite, inputLayout, outputLayout, activation, slope);
            AssertBitwiseEqual(expected, folded);
            AssertBitwiseEqual(expectedGradient, gradient);
        }
    }

    /// <summary>The folded LeakyReLU reads its derivative from the sign of its output, which a slope of 0 or less loses.</summary>
    [Theory]
    [InlineData(0f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void FoldingLeakyReluWithoutAPositiveSlopeThrows(float slope)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernel.Backward(new float[6], new float[6], new float[2], new float[6], [], new float[6],
            2, 3, 1, GradientWrite.Overwrite, ActivationEpilogue.LeakyRelu, slope));
        Assert.Equal("slope", error.ParamName);
    }

    /// <summary>Multiples of ½ in [−1, 1] (five levels), so products and sums are exact.</summary>
    internal static float[] Halves(int length, int seed) => TestData.Random(length, seed).Select(v => MathF.Round(2 * v) / 2).ToArray();

    private static void Activate(float[] values, ActivationEpilogue activation, float slope)
    {
        if (activation == ActivationEpilogue.Relu)
            ActivationKernel.Relu(values, values);
        else if (activation == ActivationEpilogue.LeakyRelu)
            ActivationKernel.LeakyRelu(values, values, slope);
    }

    internal static void AssertBitwiseEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"Element {i}: expected {expected[i]:R} ({BitConverter.SingleToInt32Bits(expected[i]):X8}), got {actual[i]:R} ({BitConverter.SingleToInt32Bits(actual[i]):X8}).");
        }
    }
}
