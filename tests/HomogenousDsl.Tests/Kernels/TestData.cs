namespace HomogenousDsl.Tests.Kernels;

/// <summary>Seeded inputs and tolerance checks shared by the kernel tests.</summary>
internal static class TestData
{
    public static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    public static float[] Filled(int length, float value)
    {
        var values = new float[length];
        Array.Fill(values, value);
        return values;
    }

    /// <summary>
    /// Records the same two-thread timing (each thread one tile, finished after <paramref name="elapsed"/>) fifty times
    /// in every entry of <paramref name="balance"/>: whatever an entry held, its cut now follows these paces.
    /// </summary>
    public static void SkewPaces(HomogenousDsl.Kernels.SplitBalance balance, long[] elapsed)
    {
        for (var entry = 0; entry < balance.Entries; entry++)
        {
            for (var i = 0; i < 50; i++)
                balance.Record(entry, 2, [0, 1, 2], elapsed);
        }
    }

    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += (double)x[i] * y[i];
        return sum;
    }

    public static double AbsDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += Math.Abs((double)x[i] * y[i]);
        return sum;
    }

    /// <summary>Elementwise |actual − expected| ≤ tolerance · max(1, |expected|, max |expected|).</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (double e in expected)
            scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance * scale))
                Assert.Fail($"Element {i}: expected {expected[i]}, got {actual[i]}.");
        }
    }

    /// <summary>Scalars that carry rounding proportional to the magnitude of the terms they summed.</summary>
    public static void AssertClose(double expected, double actual, double termMagnitude, double tolerance = 1e-4)
    {
        if (!(Math.Abs(actual - expected) <= tolerance * Math.Max(1, termMagnitude)))
            Assert.Fail($"Expected {expected}, got {actual} (term magnitude {termMagnitude}).");
    }

    public static double[] Plus(ReadOnlySpan<float> start, ReadOnlySpan<double> increment)
    {
        var sum = new double[start.Length];
        for (int i = 0; i < sum.Length; i++)
            sum[i] = start[i] + increment[i];
        return sum;
    }
}
