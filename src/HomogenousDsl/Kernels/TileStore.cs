using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// How <see cref="GemmMicroKernel"/> writes a finished register tile to C. A struct type parameter, so the JIT compiles
/// one micro-kernel per store and the plain store costs nothing extra.
/// </summary>
internal unsafe interface ITileStore
{
    /// <summary>Called before the k loop: start fetching whatever the store will read (C when accumulating).</summary>
    void Prefetch(float* c, nint ldc, bool accumulate);

    /// <summary>Writes one full 32-column row of the tile: C row (+)= low | high.</summary>
    void Store(float* c, Vector512<float> low, Vector512<float> high, bool accumulate);

    /// <summary>As <see cref="Store"/> for the lanes set in the masks only (an edge tile).</summary>
    void StoreMasked(float* c, Vector512<float> low, Vector512<float> high, Vector512<float> lowMask, Vector512<float> highMask, bool accumulate);
}

/// <summary>C = or += the product.</summary>
internal unsafe struct PlainTileStore : ITileStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(float* c, nint ldc, bool accumulate)
    {
        if (!accumulate)
            return;
        // C is read only after the k loop; start fetching it now so an L2/L3-resident C (a large weight gradient,
        // a product accumulated across k blocks) arrives while the FMAs run.
        for (int r = 0; r < GemmMicroKernel.Rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(float* c, Vector512<float> low, Vector512<float> high, bool accumulate)
    {
        if (accumulate)
        {
            low += Avx512F.LoadVector512(c);
            high += Avx512F.LoadVector512(c + 16);
        }
        Avx512F.Store(c, low);
        Avx512F.Store(c + 16, high);
    }

    // Masked-off lanes are neither read nor written (AVX-512 suppresses their faults), so a tile may end at a buffer's end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void StoreMasked(float* c, Vector512<float> low, Vector512<float> high, Vector512<float> lowMask, Vector512<float> highMask, bool accumulate)
    {
        if (accumulate)
        {
            low += Avx512F.MaskLoad(c, lowMask, Vector512<float>.Zero);
            high += Avx512F.MaskLoad(c + 16, highMask, Vector512<float>.Zero);
        }
        Avx512F.MaskStore(c, lowMask, low);
        Avx512F.MaskStore(c + 16, highMask, high);
    }
}

/// <summary>
/// Stores the gradient g like <see cref="PlainTileStore"/>, then takes the constant step on the parameters it belongs to,
/// θ ← fma(factor, g, θ), while g is still in registers: the weight gradient's product doubles as the update, with no
/// second pass over g and θ. θ lies <see cref="_parameterOffset"/> floats from g. The arithmetic is exactly
/// <see cref="VectorMath.AxpyAllFinite"/>'s, so the result is bit-identical to storing g and updating afterwards.
/// </summary>
internal unsafe struct UpdateTileStore(nint parameterOffset, float factor) : ITileStore
{
    private readonly nint _parameterOffset = parameterOffset;
    private readonly Vector512<float> _factor = Vector512.Create(factor);

    // Σ (v − v) over the new parameters: 0 while all are finite, NaN from the first that is not.
    private Vector512<float> _check;

    /// <summary>True when every parameter this store has written is finite.</summary>
    public readonly bool Finite => Vector512.Sum(_check) == 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Prefetch(float* c, nint ldc, bool accumulate)
    {
        // θ is read right after the k loop, a tile that has not been touched since the forward pass.
        float* theta = c + _parameterOffset;
        for (int r = 0; r < GemmMicroKernel.Rows; r++)
        {
            Sse.Prefetch0(theta + r * ldc);
            Sse.Prefetch0(theta + r * ldc + 16);
            if (accumulate)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* c, Vector512<float> low, Vector512<float> high, bool accumulate)
    {
        if (accumulate)
        {
            low += Avx512F.LoadVector512(c);
            high += Avx512F.LoadVector512(c + 16);
        }
        Avx512F.Store(c, low);
        Avx512F.Store(c + 16, high);
        float* theta = c + _parameterOffset;
        var newLow = Avx512F.FusedMultiplyAdd(_factor, low, Avx512F.LoadVector512(theta));
        var newHigh = Avx512F.FusedMultiplyAdd(_factor, high, Avx512F.LoadVector512(theta + 16));
        Avx512F.Store(theta, newLow);
        Avx512F.Store(theta + 16, newHigh);
        _check += (newLow - newLow) + (newHigh - newHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreMasked(float* c, Vector512<float> low, Vector512<float> high, Vector512<float> lowMask, Vector512<float> highMask, bool accumulate)
    {
        if (accumulate)
        {
            low += Avx512F.MaskLoad(c, lowMask, Vector512<float>.Zero);
            high += Avx512F.MaskLoad(c + 16, highMask, Vector512<float>.Zero);
        }
        Avx512F.MaskStore(c, lowMask, low);
        Avx512F.MaskStore(c + 16, highMask, high);
        float* theta = c + _parameterOffset;
        var newLow = Avx512F.FusedMultiplyAdd(_factor, low, Avx512F.MaskLoad(theta, lowMask, Vector512<float>.Zero));
        var newHigh = Avx512F.FusedMultiplyAdd(_factor, high, Avx512F.MaskLoad(theta + 16, highMask, Vector512<float>.Zero));
        Avx512F.MaskStore(theta, lowMask, newLow);
        Avx512F.MaskStore(theta + 16, highMask, newHigh);
        // Lanes outside the tile hold whatever the zero padding made of g; only stored lanes count.
        _check += Vector512.ConditionalSelect(lowMask, newLow - newLow, Vector512<float>.Zero)
                + Vector512.ConditionalSelect(highMask, newHigh - newHigh, Vector512<float>.Zero);
    }
}
