using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>The reversed copy that turns a convolution's taps around, on every length a kernel from 1 × 1 to 7 × 7 has and around the register widths.</summary>
public sealed unsafe class ReversedCopyTests
{
    /// <summary>Tap counts of square kernels, and lengths just under, at and over 8, 16 and 32 lanes.</summary>
    public static TheoryData<int> Counts => [0, 1, 4, 7, 8, 9, 15, 16, 17, 25, 31, 32, 33, 36, 49];

    /// <summary>destination[t] = source[count − 1 − t], and nothing written before or after the destination.</summary>
    [Theory, MemberData(nameof(Counts))]
    public void ReversesAndWritesOnlyItsRange(int count)
    {
        float[] source = TestData.Random(count + 2, 7);
        var destination = new float[count + 2];
        Array.Fill(destination, float.NaN);
        fixed (float* s = source, d = destination)
            ReversedCopy.Run(s + 1, d + 1, count);
        for (var t = 0; t < count; t++)
            Assert.Equal(source[count - t], destination[1 + t]);
        Assert.True(float.IsNaN(destination[0]));
        Assert.True(float.IsNaN(destination[count + 1]));
    }
}
