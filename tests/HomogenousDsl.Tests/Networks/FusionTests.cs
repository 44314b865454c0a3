using HomogenousDsl.Kernels;
using HomogenousDsl.Tests.Kernels;

namespace HomogenousDsl.Tests.Networks;

/// <summary>
/// Generated networks whose Dense/Conv2d layers fuse the following ReLU or LeakyReLU (and whose max-pools fold in its
/// derivative) against the same layers run one kernel at a time, bit for bit; and the kink conventions ReLU'(0) = 0,
/// LeakyReLU'(0) = α through the fused packed path, on data whose pre-activations are exactly 0 for many samples.
/// </summary>
public sealed class FusionTests
{
    [Fact]
    public void DenseLeakyWideEqualsUnfusedKernels()
    {
        const int batch = 64, inputs = 37, hidden = 67;
        const float slope = 0.3f;
        var network = new NetworkCase<DenseLeakyWide>();
        float[] parameters = NetworkCases.RandomParameters(network, 1), x = NetworkCases.RandomInputs(network, batch, 2), adjoints = TestData.Random(batch, 3);
        var (outputs, gradient) = network.Subgradient(parameters, x, adjoints, batch);

        ReadOnlySpan<float> w1 = parameters.AsSpan(0, hidden * inputs), w2 = parameters.AsSpan(hidden * inputs, hidden);
        float[] z = new float[batch * hidden], a = new float[z.Length], y = new float[batch], da = new float[z.Length], expected = new float[parameters.Length];
        // The generated code keeps the hidden activations feature-major between the two dense layers; so does this.
        const ActivationLayout rows = ActivationLayout.BatchMajor, features = ActivationLayout.FeatureMajor;
        DenseKernel.Forward(w1, [], x, z, batch, inputs, hidden, ActivationEpilogue.None, 0f, rows, features);
        ActivationKernel.LeakyRelu(z, a, slope);
        DenseKernel.Forward(w2, [], a, y, batch, hidden, 1, ActivationEpilogue.None, 0f, features, rows);
        DenseKernel.Backward(w2, a, adjoints, expected.AsSpan(hidden * inputs), [], da, batch, hidden, 1, GradientWrite.Accumulate, features, rows);
        ActivationKernel.LeakyReluBackward(z, da, da, slope);
        DenseKernel.Backward(w1, x, da, expected.AsSpan(0, hidden * inputs), [], [], batch, inputs, hidden, GradientWrite.Accumulate, rows, features);

        FusedActivationTests.AssertBitwiseEqual(y, outputs);
        FusedActivationTests.AssertBitwiseEqual(expected, gradient);
    }

    /// <summary>Batch 16 takes the packed convolution, batch 5 the simple one; halves give exact zeros and pooling ties.</summary>
    [Theory]
    [InlineData(16, true)] [InlineData(5, true)] [InlineData(16, false)] [InlineData(5, false)]
    public void ConvReluPoolWideEqualsUnfusedKernels(int batch, bool halves)
    {
        var conv = new Conv2dShape(1, 6, 6, 7, 3, 1, 1);
        var pool = new Pool2dShape(7, 6, 6, 2, 2);
        var network = new NetworkCase<ConvReluPoolWide>();
        float[] parameters = halves ? FusedActivationTests.Halves(network.ParameterCount, 4) : NetworkCases.RandomParameters(network, 5);
        float[] x = halves ? FusedActivationTests.Halves(batch * network.InputSize, 5) : NetworkCases.RandomInputs(network, batch, 6);
        float[] adjoints = TestData.Random(batch, 6);
        var (outputs, gradient) = network.Subgradient(parameters, x, adjoints, batch);

        ReadOnlySpan<float> wc = parameters.AsSpan(0, conv.WeightSize), wd = parameters.AsSpan(conv.WeightSize, pool.OutputSize);
        float[] z = new float[batch * conv.OutputSize], a = new float[z.Length], p = new float[batch * pool.OutputSize], y = new float[batch];
        float[] dp = new float[p.Length], dz = new float[z.Length], expected = new float[parameters.Length], scratch = new float[Conv2dKernel.ScratchSize(conv)];
        int[] argmax = new int[p.Length];
        Conv2dKernel.Forward(wc, [], x, z, batch, conv, scratch);
        Assert.True(!halves || z.Contains(0f));
        ActivationKernel.Relu(z, a);
        Pool2dKernel.MaxForward(a, p, argmax, batch, pool);
        DenseKernel.Forward(wd, [], p, y, batch, pool.OutputSize, 1);
        DenseKernel.Backward(wd, p, adjoints, expected.AsSpan(conv.WeightSize), [], dp, batch, pool.OutputSize, 1);
        Pool2dKernel.MaxBackward(dp, argmax, dz, batch, pool);
        ActivationKernel.ReluBackward(z, dz, dz);
        Conv2dKernel.Backward(wc, x, dz, expected.AsSpan(0, conv.WeightSize), [], [], batch, conv, scratch);

        FusedActivationTests.AssertBitwiseEqual(y, outputs);
        FusedActivationTests.AssertBitwiseEqual(expected, gradient);
    }

    [Fact]
    public void ReluDerivativeAtZeroIsZeroThroughTheFusedPath() => AssertKinkConventions(new NetworkCase<WideReluProbe>(), 0f);

    [Fact]
    public void LeakyReluDerivativeAtZeroIsTheSlopeThroughTheFusedPath() => AssertKinkConventions(new NetworkCase<WideLeakyProbe>(), 0.25f);

    /// <summary>
    /// A 16 → 32 → 1 network at batch 64 (the packed forward with its fused store) on halves, so every sum is exact and
    /// the expected output and gradient, written out in double with the kink conventions, must match exactly.
    /// </summary>
    private static void AssertKinkConventions(INetworkCase network, float slope)
    {
        const int batch = 64, inputs = 16, hidden = 32;
        float[] parameters = FusedActivationTests.Halves(network.ParameterCount, 7), x = FusedActivationTests.Halves(batch * inputs, 8);
        float[] adjoints = FusedActivationTests.Halves(batch, 9);
        var (outputs, gradient) = network.Subgradient(parameters, x, adjoints, batch);

        var expected = new double[parameters.Length];
        int kinks = 0;
        for (int b = 0; b < batch; b++)
        {
            double output = 0;
            for (int o = 0; o < hidden; o++)
            {
                double z = 0;
                for (int i = 0; i < inputs; i++)
                    z += (double)parameters[o * inputs + i] * x[b * inputs + i];
                kinks += z == 0 ? 1 : 0;
                double a = z > 0 ? z : slope * z, derivative = z > 0 ? 1 : slope;   // ReLU'(0) = 0, LeakyReLU'(0) = α
                double w2 = parameters[hidden * inputs + o];
                output += w2 * a;
                expected[hidden * inputs + o] += adjoints[b] * a;
                for (int i = 0; i < inputs; i++)
                    expected[o * inputs + i] += adjoints[b] * w2 * derivative * x[b * inputs + i];
            }
            Assert.Equal(output, outputs[b]);
        }
        Assert.True(kinks > 50, $"only {kinks} exact-zero pre-activations");
        Assert.Equal(expected, gradient.Select(static g => (double)g).ToArray());
    }
}
