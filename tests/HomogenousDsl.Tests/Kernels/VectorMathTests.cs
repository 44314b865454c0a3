using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>VectorMath against double references on lengths that hit the vector body, the single-register loop and the scalar tail.</summary>
public sealed class VectorMathTests
{
    /// <summary>Lengths around the 8- and 16-lane register widths.</summary>
    public static TheoryData<int> Lengths => [0, 1, 3, 7, 8, 15, 16, 17, 33, 64, 100, 1000, 1031];

    /// <summary>Dot matches the double dot product up to float accumulation error.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void DotMatchesReference(int n)
    {
        float[] x = TestData.Random(n, 1), y = TestData.Random(n, 2);
        TestData.AssertClose(TestData.Dot(x, y), VectorMath.Dot(x, y), TestData.AbsDot(x, y), 1e-5);
    }

    /// <summary>Dot64 and SumOfSquares accumulate in double, so they agree with the reference to double rounding.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void DoubleAccumulationMatchesReference(int n)
    {
        float[] x = TestData.Random(n, 3), y = TestData.Random(n, 4);
        TestData.AssertClose(TestData.Dot(x, y), VectorMath.Dot64(x, y), TestData.AbsDot(x, y), 1e-13);
        TestData.AssertClose(TestData.Dot(x, x), VectorMath.SumOfSquares(x), TestData.Dot(x, x), 1e-13);
    }

    /// <summary>Double accumulation keeps small terms that a float sum of a large one would absorb.</summary>
    [Fact]
    public void SumOfSquaresDoesNotAbsorbSmallTerms()
    {
        float[] x = TestData.Filled(1001, 1f / 4096);
        x[500] = 4096;
        Assert.Equal(4096.0 * 4096 + 1000.0 / (4096.0 * 4096), VectorMath.SumOfSquares(x), 1e-9);
    }

    /// <summary>Sum matches the double sum.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void SumMatchesReference(int n)
    {
        float[] x = TestData.Random(n, 5);
        TestData.AssertClose(TestData.Dot(x, TestData.Filled(n, 1)), VectorMath.Sum(x), n, 1e-6);
    }

    /// <summary>Axpy, Add and Scale update the target in place, elementwise.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void ElementwiseUpdatesMatchReference(int n)
    {
        float[] x = TestData.Random(n, 6), y = TestData.Random(n, 7);
        var axpy = new double[n];
        var add = new double[n];
        var scale = new double[n];
        for (int i = 0; i < n; i++)
            (axpy[i], add[i], scale[i]) = (0.75 * x[i] + y[i], (double)x[i] + y[i], -1.5 * y[i]);

        float[] target = (float[])y.Clone();
        VectorMath.Axpy(0.75f, x, target);
        TestData.AssertClose(axpy, target, 1e-6);
        target = (float[])y.Clone();
        VectorMath.Add(x, target);
        TestData.AssertClose(add, target, 1e-6);
        target = (float[])y.Clone();
        VectorMath.Scale(target, -1.5f);
        TestData.AssertClose(scale, target, 1e-6);
    }

    /// <summary>AllFinite finds one NaN or infinity wherever it sits: vector body or tail.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void AllFiniteFindsEveryNonFiniteValue(int n)
    {
        float[] x = TestData.Random(n, 8);
        x.AsSpan(0, n / 2).Fill(float.MaxValue);
        Assert.True(VectorMath.AllFinite(x));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            for (int i = 0; i < n; i++)
            {
                float saved = x[i];
                x[i] = bad;
                Assert.False(VectorMath.AllFinite(x), $"{bad} at {i} of {n}");
                x[i] = saved;
            }
        }
    }

    /// <summary>
    /// AxpyAllFinite equals a fused multiply-add per element and reports a non-finite result wherever it lands: in the
    /// four-register body, the one-register loop or the scalar tail.
    /// </summary>
    [Theory, MemberData(nameof(Lengths))]
    public void AxpyAllFiniteUpdatesAndFindsEveryNonFiniteResult(int n)
    {
        float[] x = TestData.Random(n, 9), y = TestData.Random(n, 10);
        float[] expected = x.Select((v, i) => MathF.FusedMultiplyAdd(-0.5f, v, y[i])).ToArray();
        float[] target = (float[])y.Clone();
        Assert.True(VectorMath.AxpyAllFinite(-0.5f, x, target));
        Assert.Equal(expected, target);
        for (int i = 0; i < n; i++)
        {
            target = (float[])y.Clone();
            target[i] = float.MaxValue;
            x[i] = -float.MaxValue;
            // MaxValue − 0.5·(−MaxValue) overflows to +∞ in exactly one element.
            Assert.False(VectorMath.AxpyAllFinite(-0.5f, x, target), $"overflow at {i} of {n}");
            Assert.Equal(float.PositiveInfinity, target[i]);
            x[i] = TestData.Random(n, 9)[i];
        }
    }

    /// <summary>Paired spans of different lengths are rejected before any work.</summary>
    [Fact]
    public void MismatchedLengthsThrow()
    {
        float[] x = new float[17], y = new float[16];
        Assert.Throws<ArgumentException>(() => VectorMath.Dot(x, y));
        Assert.Throws<ArgumentException>(() => VectorMath.Dot64(x, y));
        Assert.Throws<ArgumentException>(() => VectorMath.Axpy(1f, x, y));
        Assert.Throws<ArgumentException>(() => VectorMath.Add(x, y));
    }
}
