using System.Runtime.CompilerServices;

namespace HomogenousDsl.Kernels;

/// <summary>
/// This thread's record of whether a fused update met a NaN or ±∞. A fused update (see
/// <see cref="GemmMicroKernel.Run(float*, nint, nint, float*, int, float*, nint, int, int, bool, float, float*)"/>)
/// writes W += s·dW from the product's registers and never stores dW, so the check a separate update pass made on its
/// way (and the trainer's question, which of the two went non-finite) must be made there: each tile adds v − v, which
/// is 0 for a finite v and NaN otherwise, of its new weights into one vector of sums, and of its products into another
/// (a full 512-bit tile only when one of its new weights was not finite: a non-finite product makes one).
/// </summary>
internal static unsafe class FiniteWatch
{
    /// <summary>Floats from the products' sums to the new values' sums (one 512-bit vector each).</summary>
    public const int ValuesOffset = 16;

    private const int Floats = 2 * ValuesOffset;

    [ThreadStatic] private static float[]? t_sums;

    /// <summary>This thread's sums (created zeroed and pinned on the thread's first call, so call it in warm-up).</summary>
    public static float* Current
    {
        get
        {
            t_sums ??= GC.AllocateArray<float>(Floats, pinned: true);
            return (float*)Unsafe.AsPointer(ref t_sums[0]);
        }
    }

    /// <summary>Whether every product and every new value since the last call on this thread was finite; clears the record.</summary>
    public static (bool ProductsFinite, bool ValuesFinite) Take()
    {
        float* sums = Current;
        float products = 0f, values = 0f;
        for (var i = 0; i < ValuesOffset; i++)
        {
            products += sums[i];
            values += sums[ValuesOffset + i];
        }
        new Span<float>(sums, Floats).Clear();
        return (products == 0f, values == 0f);
    }
}
