using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>
/// destination[t] = source[count − 1 − t]: a convolution's taps turned around for its input adjoint. Whole registers
/// from the front of the destination, the last one ending at count (overlapping the one before: the same values
/// again), so a 5 × 5 kernel's 25 taps take two 16-lane permutes, not 25 scalar moves; every thread of a split input
/// adjoint flips the whole layer's weights each step.
/// </summary>
internal static unsafe class ReversedCopy
{
    /// <summary>Copies <paramref name="count"/> floats reversed; the two ranges must not overlap.</summary>
    public static void Run(float* source, float* destination, int count)
    {
        if (Vector512.IsHardwareAccelerated && count >= Vector512<float>.Count)
        {
            var lanes = Vector512.Create(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
            int last = count - Vector512<float>.Count;
            for (var t = 0; t < last; t += Vector512<float>.Count)
                Vector512.Shuffle(Vector512.Load(source + last - t), lanes).Store(destination + t);
            Vector512.Shuffle(Vector512.Load(source), lanes).Store(destination + last);
            return;
        }
        if (Vector256.IsHardwareAccelerated && count >= Vector256<float>.Count)
        {
            var lanes = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
            int last = count - Vector256<float>.Count;
            for (var t = 0; t < last; t += Vector256<float>.Count)
                Vector256.Shuffle(Vector256.Load(source + last - t), lanes).Store(destination + t);
            Vector256.Shuffle(Vector256.Load(source), lanes).Store(destination + last);
            return;
        }
        for (var t = 0; t < count; t++)
            destination[t] = source[count - 1 - t];
    }
}
