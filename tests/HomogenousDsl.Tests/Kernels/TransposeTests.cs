using System.Runtime.Intrinsics;
using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// The 16 × 16 register transposes that pack transposed operands and finish products computed transposed, in 512-bit
/// registers and as four 8 × 8 blocks in 256-bit ones (AVX2 machines): each element moved exactly, the bias added and
/// the activation applied once, the destination's padding between rows untouched.
/// </summary>
public sealed unsafe class TransposeTests
{
    private const int Stride = 21, Ldd = 19;

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, true, true)]
    [InlineData(false, false, false)]
    [InlineData(false, true, true)]
    public void BlockTransposes(bool narrow, bool withBias, bool relu)
    {
        if (narrow ? !Vector256.IsHardwareAccelerated : !Vector512.IsHardwareAccelerated)
            return;
        Check(withBias, relu, narrow);
    }

    private static void Check(bool withBias, bool relu, bool narrow)
    {
        float[] source = TestData.Random(16 * Stride, 31), bias = TestData.Random(16, 32);
        float[] destination = TestData.Filled(16 * Ldd, float.NaN);
        fixed (float* s = source, b = bias, d = destination)
        {
            float* biasOrNull = withBias ? b : null;
            if (relu && narrow)
                Transpose.Block16Narrow<ActivationKernel.ReluOperator>(s, Stride, d, Ldd, biasOrNull, 0f);
            else if (relu)
                Transpose.Block16Wide<ActivationKernel.ReluOperator>(s, Stride, d, Ldd, biasOrNull, 0f);
            else if (narrow)
                Transpose.Block16Narrow<Epilogue.None>(s, Stride, d, Ldd, biasOrNull, 0f);
            else
                Transpose.Block16Wide<Epilogue.None>(s, Stride, d, Ldd, biasOrNull, 0f);
        }
        for (int q = 0; q < 16; q++)
        for (int j = 0; j < Ldd; j++)
        {
            float actual = destination[q * Ldd + j];
            if (j >= 16)
            {
                Assert.True(float.IsNaN(actual), $"padding at row {q}, column {j} was written");
                continue;
            }
            float expected = source[j * Stride + q] + (withBias ? bias[j] : 0f);
            Assert.Equal(relu ? Math.Max(expected, 0f) : expected, actual);
        }
    }
}
