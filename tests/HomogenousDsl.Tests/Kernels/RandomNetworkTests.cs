using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Whole networks of random odd sizes run through the kernels (so a mix of packed and simple products, edge tiles and
/// k blocks) against a plain double-precision implementation written out below: outputs, every parameter gradient,
/// and the input adjoint. Squared ReLU keeps the comparison away from kinks: its derivative is continuous, so a
/// pre-activation that rounds to the other side of zero changes nothing measurable.
/// </summary>
public sealed class RandomNetworkTests
{
    /// <summary>
    /// An optional convolution (random channels, kernel, padding, stride) then 1–3 dense layers, all of odd widths; the
    /// activations between dense layers batch-major, or feature-major as the generated code keeps them.
    /// </summary>
    [Theory]
    [InlineData(1, false)] [InlineData(2, false)] [InlineData(3, false)] [InlineData(4, false)] [InlineData(5, false)] [InlineData(6, false)]
    [InlineData(1, true)] [InlineData(2, true)] [InlineData(3, true)] [InlineData(4, true)] [InlineData(5, true)] [InlineData(6, true)] [InlineData(7, true)] [InlineData(9, true)]
    public void KernelsMatchDoubleReference(int seed, bool featureMajor)
    {
        var random = new Random(seed);
        int batch = random.Next(9, 70);
        Conv2dShape? conv = null;
        int features;
        if (seed % 2 == 0)
        {
            int k = random.Next(1, 3) * 2 + 1, pad = random.Next(0, k), stride = random.Next(1, 3);
            conv = new Conv2dShape(random.Next(1, 6), random.Next(k, 16), random.Next(k, 16), random.Next(4, 21), k, stride, pad);
            features = conv.Value.OutputSize;
        }
        else
        {
            features = random.Next(17, 400);
        }
        int inputSize = conv?.InputSize ?? features;
        var widths = new List<int> { features };
        for (int depth = random.Next(1, 4); depth > 0; depth--)
            widths.Add(random.Next(3, 300) | 1);

        float[] x = TestData.Random(batch * inputSize, seed * 10 + 1);
        float[]? convWeight = conv is { } cs ? Scaled(TestData.Random(cs.WeightSize, seed * 10 + 2), 1.0 / Math.Sqrt(cs.PatchSize)) : null;
        var weights = new float[widths.Count - 1][];
        for (int l = 0; l + 1 < widths.Count; l++)
            weights[l] = Scaled(TestData.Random(widths[l + 1] * widths[l], seed * 10 + 3 + l), 1.0 / Math.Sqrt(widths[l]));
        int outputs = widths[^1];
        float[] outputAdjoint = TestData.Random(batch * outputs, seed * 10 + 9);

        var fast = RunKernels(x, convWeight, conv, weights, widths, outputAdjoint, batch, featureMajor);
        var slow = RunReference(x, convWeight, conv, weights, widths, outputAdjoint, batch);

        TestData.AssertClose(slow.Output, fast.Output, 1e-3);
        TestData.AssertClose(slow.InputAdjoint, fast.InputAdjoint, 1e-3);
        for (int l = 0; l < slow.Gradients.Length; l++)
            TestData.AssertClose(slow.Gradients[l], fast.Gradients[l], 1e-3);
    }

    private static float[] Scaled(float[] values, double scale) => values.Select(v => (float)(v * scale)).ToArray();

    private static (float[] Output, float[][] Gradients, float[] InputAdjoint) RunKernels(float[] x, float[]? convWeight, Conv2dShape? conv,
        float[][] weights, List<int> widths, float[] outputAdjoint, int batch, bool featureMajor)
    {
        int layers = weights.Length;
        // Dense layer l's input and output layouts: feature-major between dense layers, batch-major at the ends.
        ActivationLayout In(int l) => featureMajor && l > 0 ? ActivationLayout.FeatureMajor : ActivationLayout.BatchMajor;
        ActivationLayout Out(int l) => featureMajor && l + 1 < layers ? ActivationLayout.FeatureMajor : ActivationLayout.BatchMajor;
        var z = new float[layers + 1][];
        var a = new float[layers + 1][];     // a[l] is the input of dense layer l; a[0] the conv output (or x)
        float[] scratch = conv is { } s0 ? new float[Conv2dKernel.ScratchSize(s0)] : [];
        if (conv is { } s)
        {
            z[0] = new float[batch * s.OutputSize];
            a[0] = new float[z[0].Length];
            Conv2dKernel.Forward(convWeight, [], x, z[0], batch, s, scratch);
            ActivationKernel.SquaredRelu(z[0], a[0]);
        }
        else
        {
            a[0] = x;
        }
        for (int l = 0; l < layers; l++)
        {
            z[l + 1] = new float[batch * widths[l + 1]];
            DenseKernel.Forward(weights[l], [], a[l], z[l + 1], batch, widths[l], widths[l + 1], ActivationEpilogue.None, 0f, In(l), Out(l));
            a[l + 1] = z[l + 1];
            if (l + 1 < layers)
            {
                a[l + 1] = new float[z[l + 1].Length];
                ActivationKernel.SquaredRelu(z[l + 1], a[l + 1]);
            }
        }

        var gradients = new List<float[]>();
        float[] adjoint = outputAdjoint;
        var denseGradients = new float[layers][];
        for (int l = layers - 1; l >= 0; l--)
        {
            denseGradients[l] = new float[weights[l].Length];
            var inputAdjoint = new float[batch * widths[l]];
            DenseKernel.Backward(weights[l], a[l], adjoint, denseGradients[l], [], inputAdjoint, batch, widths[l], widths[l + 1], GradientWrite.Accumulate, In(l), Out(l));
            if (l > 0 || conv is not null)
                ActivationKernel.SquaredReluBackward(z[l], inputAdjoint, inputAdjoint);
            adjoint = inputAdjoint;
        }
        float[] dx = adjoint;
        if (conv is { } c)
        {
            var convGradient = new float[c.WeightSize];
            dx = new float[x.Length];
            Conv2dKernel.Backward(convWeight, x, adjoint, convGradient, [], dx, batch, c, scratch);
            gradients.Add(convGradient);
        }
        gradients.AddRange(denseGradients);
        return (a[layers], gradients.ToArray(), dx);
    }

    private static (double[] Output, double[][] Gradients, double[] InputAdjoint) RunReference(float[] x, float[]? convWeight, Conv2dShape? conv,
        float[][] weights, List<int> widths, float[] outputAdjoint, int batch)
    {
        int layers = weights.Length;
        var z = new double[layers + 1][];
        var a = new double[layers + 1][];
        double[] input = x.Select(v => (double)v).ToArray();
        if (conv is { } s)
        {
            z[0] = new double[batch * s.OutputSize];
            foreach (var (w, i, o, _) in Reference.ConvTaps(batch, s))
                z[0][o] += convWeight![w] * input[i];
            a[0] = z[0].Select(SquaredRelu).ToArray();
        }
        else
        {
            a[0] = input;
        }
        for (int l = 0; l < layers; l++)
        {
            int inF = widths[l], outF = widths[l + 1];
            z[l + 1] = new double[batch * outF];
            for (int b = 0; b < batch; b++)
            for (int o = 0; o < outF; o++)
            {
                double sum = 0;
                for (int i = 0; i < inF; i++)
                    sum += weights[l][o * inF + i] * a[l][b * inF + i];
                z[l + 1][b * outF + o] = sum;
            }
            a[l + 1] = l + 1 < layers ? z[l + 1].Select(SquaredRelu).ToArray() : z[l + 1];
        }

        double[] adjoint = outputAdjoint.Select(v => (double)v).ToArray();
        var denseGradients = new double[layers][];
        for (int l = layers - 1; l >= 0; l--)
        {
            int inF = widths[l], outF = widths[l + 1];
            denseGradients[l] = new double[weights[l].Length];
            var inputAdjoint = new double[batch * inF];
            for (int b = 0; b < batch; b++)
            for (int o = 0; o < outF; o++)
            for (int i = 0; i < inF; i++)
            {
                denseGradients[l][o * inF + i] += adjoint[b * outF + o] * a[l][b * inF + i];
                inputAdjoint[b * inF + i] += adjoint[b * outF + o] * weights[l][o * inF + i];
            }
            if (l > 0 || conv is not null)
            {
                for (int j = 0; j < inputAdjoint.Length; j++)
                    inputAdjoint[j] *= z[l][j] > 0 ? 2 * z[l][j] : 0;
            }
            adjoint = inputAdjoint;
        }
        var gradients = new List<double[]>();
        double[] dx = adjoint;
        if (conv is { } c)
        {
            var convGradient = new double[c.WeightSize];
            dx = new double[x.Length];
            foreach (var (w, i, o, _) in Reference.ConvTaps(batch, c))
            {
                convGradient[w] += adjoint[o] * input[i];
                dx[i] += adjoint[o] * convWeight![w];
            }
            gradients.Add(convGradient);
        }
        gradients.AddRange(denseGradients);
        return (a[layers], gradients.ToArray(), dx);
    }

    private static double SquaredRelu(double v) => v > 0 ? v * v : 0;
}
