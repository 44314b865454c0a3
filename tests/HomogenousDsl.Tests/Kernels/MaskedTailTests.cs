using System.Runtime.Intrinsics;
using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Kernel tails as one masked register (<see cref="ISimd{TV}.LoadFirst"/>, <see cref="ISimd{TV}.StoreFirst"/>): they move
/// exactly the tail's elements, and each lane computes what a scalar loop would, bit for bit (the FMA chains below are
/// summed in the kernels' order with fused multiply-adds).
/// </summary>
public sealed class MaskedTailTests
{
    [Fact]
    public void PartialRegistersMoveOnlyTheirLanes()
    {
        if (Vector512.IsHardwareAccelerated)
            AssertPartialRegisters<Vector512<float>, Simd512>();
        if (Vector256.IsHardwareAccelerated)
            AssertPartialRegisters<Vector256<float>, Simd256>();
    }

    private static void AssertPartialRegisters<TV, T>() where TV : struct where T : ISimd<TV>
    {
        for (var count = 1; count < T.Count; count++)
        {
            var source = TestData.Random(count, count);
            var loaded = T.LoadFirst(ref source[0], count);
            var lanes = new float[T.Count];
            T.Store(loaded, ref lanes[0]);
            Assert.Equal(source, lanes[..count]);
            Assert.All(lanes[count..], lane => Assert.Equal(0f, lane));

            var destination = TestData.Filled(T.Count + 1, float.NaN);
            T.StoreFirst(T.Create(7f), ref destination[0], count);
            Assert.All(destination[..count], value => Assert.Equal(7f, value));
            Assert.All(destination[count..], value => Assert.True(float.IsNaN(value)));
        }
    }

    /// <summary>
    /// C = A·B and C += A·B with n = 16k + r (the last columns one masked panel) and m with a row remainder, or under four
    /// rows (four panels side by side, then single ones): every entry is the fused chain c = fma(a[i, p], b[p, j], c)
    /// over p, exactly.
    /// </summary>
    [Theory]
    [InlineData(1, 100, 16)]
    [InlineData(1, 64, 256)]
    [InlineData(3, 200, 33)]
    [InlineData(7, 37, 5)]
    [InlineData(16, 100, 1)]
    [InlineData(5, 13, 9)]
    public void ProductTailsEqualTheScalarChain(int m, int n, int k)
    {
        float[] a = TestData.Random(m * k, 40), b = TestData.Random(k * n, 41), c0 = TestData.Random(m * n, 42);
        foreach (var accumulate in new[] { false, true })
        {
            var c = (float[])c0.Clone();
            Gemm.Multiply(a, k, 1, b, c, m, n, k, accumulate);
            for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var expected = accumulate ? c0[i * n + j] : 0f;
                for (var p = 0; p < k; p++)
                    expected = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], expected);
                Assert.Equal(expected, c[i * n + j]);
            }
        }
    }

    /// <summary>
    /// The tiny-fan-in layer (W1's 2 → 100 and odd neighbours): forward outputs and weight gradients, tails included,
    /// are the fused chains over inputs and over the batch in order.
    /// </summary>
    [Theory]
    [InlineData(16, 2, 100)]
    [InlineData(5, 3, 37)]
    [InlineData(9, 7, 70)]
    [InlineData(3, 2, 15)]
    public void SmallFanInTailsEqualTheScalarChain(int batch, int inFeatures, int outFeatures)
    {
        float[] w = TestData.Random(outFeatures * inFeatures, 43), bias = TestData.Random(outFeatures, 44);
        float[] x = TestData.Random(batch * inFeatures, 45), dy = TestData.Random(batch * outFeatures, 46), dw0 = TestData.Random(w.Length, 47);
        var y = new float[batch * outFeatures];
        DenseKernel.Forward(w, bias, x, y, batch, inFeatures, outFeatures);
        for (var s = 0; s < batch; s++)
        for (var o = 0; o < outFeatures; o++)
        {
            var expected = bias[o];
            for (var i = 0; i < inFeatures; i++)
                expected = MathF.FusedMultiplyAdd(x[s * inFeatures + i], w[o * inFeatures + i], expected);
            Assert.Equal(expected, y[s * outFeatures + o]);
        }

        var dw = (float[])dw0.Clone();
        DenseKernel.Backward(w, x, dy, dw, [], [], batch, inFeatures, outFeatures);
        for (var o = 0; o < outFeatures; o++)
        for (var i = 0; i < inFeatures; i++)
        {
            var sum = 0f;
            for (var s = 0; s < batch; s++)
                sum = MathF.FusedMultiplyAdd(x[s * inFeatures + i], dy[s * outFeatures + o], sum);
            Assert.Equal(dw0[o * inFeatures + i] + sum, dw[o * inFeatures + i]);
        }
    }

    /// <summary>Lane-wise maps over lengths with every tail size: the masked tail gives the scalar operator's result.</summary>
    [Fact]
    public void ElementwiseTailsEqualTheScalarOperator()
    {
        for (var n = 1; n <= 40; n++)
        {
            float[] x = TestData.Random(n, 48 + n), y = TestData.Random(n, 100 + n), result = TestData.Filled(n + 1, float.NaN);
            Elementwise.Map<AxpyLike>(x, y, result.AsSpan(0, n), 0.75f);
            for (var i = 0; i < n; i++)
                Assert.Equal(MathF.FusedMultiplyAdd(0.75f, x[i], y[i]), result[i]);
            Assert.True(float.IsNaN(result[n]));
        }
    }

    private readonly struct AxpyLike : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV x, TV y, TV parameter) where TV : struct where T : ISimd<TV> => T.MultiplyAdd(parameter, x, y);
    }
}
