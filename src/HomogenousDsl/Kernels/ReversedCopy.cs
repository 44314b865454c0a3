using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>
/// destination[t] = source[count − 1 − t]: a convolution's taps turned around for its input adjoint. Whole registers
/// from both ends inward, the last one overlapping, so a 5 × 5 kernel's 25 taps take two 16-lane permutes, not 25
/// scalar moves; every thread of a split input adjoint flips the whole layer's weights each step.
/// </summary>
internal static unsafe class ReversedCopy
{
    /// <summary>Copies <paramref name="count"/> floats reversed; the two ranges must not overlap.</summary>
    public static void Run(float* source, float* destination, int count)
    {
        if (Vector512.IsHardwareAccelerated && count >= Vector512<float>.Count)
        {
            var lanes = Vector512.Create(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
            for (var t = 0; ; t += Vector512<float>.Count)
            {
                // Past the last whole register, the one ending at count (overlapping: the same values again).
                t = Math.Min(t, count - Vector512<float>.Count);
                Vector512.Shuffle(Vector512.Load(source + count - Vector512<float>.Count - t), lanes).Store(destination + t);
                if (t == count - Vector512<float>.Count)
                    return;
            }
        }
        if (Vector256.IsHardwareAccelerated && count >= Vector256<float>.Count)
        {
            var lanes = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
            for (var t = 0; ; t += Vector256<float>.Count)
            {
                t = Math.Min(t, count - Vector256<float>.Count);
                Vector256.Shuffle(Vector256.Load(source + count - Vector256<float>.Count - t), lanes).Store(destination + t);
                if (t == count - Vector256<float>.Count)
                    return;
            }
        }
        for (var t = 0; t < count; t++)
            destination[t] = source[count - 1 - t];
    }
}
