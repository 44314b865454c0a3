using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Convolutions large enough for the packed GEMM path (grouped samples over padded images, the weight gradient as
/// col·dYᵀ, the input adjoint as a flipped-kernel convolution), against the same double reference as
/// <see cref="Conv2dKernelTests"/>. Three samples, so groups straddle and some shapes split into several groups.
/// </summary>
public sealed class ConvGemmTests
{
    /// <summary>
    /// Odd channel counts and image sizes; stride 2 (packed forward and weight gradient, per-sample input adjoint);
    /// padding beyond K−1 (input adjoint not a convolution); pointwise; a single input channel (adjoint per sample);
    /// 600-pixel outputs (two groups of samples); a 5×5 layer like W4's second convolution, scaled down.
    /// </summary>
    public static TheoryData<int, int, int, int, int, int, int> Shapes => new()
    {
        { 3, 13, 11, 9, 3, 1, 1 },
        { 5, 12, 17, 17, 5, 1, 2 },
        { 6, 15, 9, 20, 3, 2, 1 },
        { 4, 10, 10, 16, 3, 1, 3 },
        { 8, 9, 9, 24, 1, 1, 0 },
        { 1, 28, 28, 10, 5, 1, 2 },
        { 4, 20, 30, 19, 3, 1, 1 },
        { 16, 14, 14, 40, 5, 1, 2 },
    };

    private const int Batch = 3;

    [Theory, MemberData(nameof(Shapes))]
    public void ForwardMatchesReference(int inC, int h, int w, int outC, int k, int stride, int pad)
    {
        var s = new Conv2dShape(inC, h, w, outC, k, stride, pad);
        float[] weight = TestData.Random(s.WeightSize, 1), bias = TestData.Random(outC, 2), x = TestData.Random(Batch * s.InputSize, 3);
        float[] y = TestData.Filled(Batch * s.OutputSize, float.NaN), scratch = TestData.Filled(Conv2dKernel.ScratchSize(s), float.NaN);
        Conv2dKernel.Forward(weight, bias, x, y, Batch, s, scratch);
        TestData.AssertClose(Reference.ConvForward(weight, bias, x, Batch, s), y);
        Conv2dKernel.Forward(weight, [], x, y, Batch, s, scratch);
        TestData.AssertClose(Reference.ConvForward(weight, null, x, Batch, s), y);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void BackwardAccumulatesParametersAndOverwritesInputAdjoint(int inC, int h, int w, int outC, int k, int stride, int pad)
    {
        var s = new Conv2dShape(inC, h, w, outC, k, stride, pad);
        float[] weight = TestData.Random(s.WeightSize, 4), x = TestData.Random(Batch * s.InputSize, 5), dy = TestData.Random(Batch * s.OutputSize, 6);
        float[] dw0 = TestData.Random(s.WeightSize, 7), db0 = TestData.Random(outC, 8);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone(), dx = TestData.Filled(x.Length, float.NaN);
        float[] scratch = TestData.Filled(Conv2dKernel.ScratchSize(s), float.NaN);
        var expected = Reference.ConvBackward(weight, x, dy, Batch, s);

        Conv2dKernel.Backward(weight, x, dy, dw, db, dx, Batch, s, scratch);
        TestData.AssertClose(TestData.Plus(dw0, expected.Weight), dw);
        TestData.AssertClose(TestData.Plus(db0, expected.Bias), db);
        TestData.AssertClose(expected.Input, dx);

        Conv2dKernel.Backward(weight, x, dy, dw, [], [], Batch, s, scratch);
        TestData.AssertClose(TestData.Plus(dw0, expected.Weight.Select(g => 2 * g).ToArray()), dw);
    }
}
