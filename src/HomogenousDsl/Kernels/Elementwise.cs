using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>A lane-wise function of one register and a broadcast parameter.</summary>
internal interface IUnaryOperator
{
    static abstract TV Invoke<TV, T>(TV x, TV parameter) where TV : struct where T : ISimd<TV>;
}

/// <summary>A lane-wise function of two registers and a broadcast parameter.</summary>
internal interface IBinaryOperator
{
    static abstract TV Invoke<TV, T>(TV x, TV y, TV parameter) where TV : struct where T : ISimd<TV>;
}

/// <summary>
/// Applies lane-wise operators over spans. Element i of the result depends only on element i of the
/// inputs, so the result may be the very same span as an input (in-place), but not a shifted overlap.
/// </summary>
internal static class Elementwise
{
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> result, float parameter,
        [CallerArgumentExpression(nameof(x))] string xName = "", [CallerArgumentExpression(nameof(result))] string resultName = "")
        where TOp : IUnaryOperator
    {
        Guard.SameLength(result, x, resultName, xName);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pr = ref MemoryMarshal.GetReference(result);
        if (Vector512.IsHardwareAccelerated)
            Map<Vector512<float>, Simd512, TOp>(ref px, ref pr, x.Length, parameter);
        else if (Vector256.IsHardwareAccelerated)
            Map<Vector256<float>, Simd256, TOp>(ref px, ref pr, x.Length, parameter);
        else
            Map<float, SimdScalar, TOp>(ref px, ref pr, x.Length, parameter);
    }

    public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> result, float parameter,
        [CallerArgumentExpression(nameof(x))] string xName = "", [CallerArgumentExpression(nameof(y))] string yName = "",
        [CallerArgumentExpression(nameof(result))] string resultName = "")
        where TOp : IBinaryOperator
    {
        Guard.SameLength(y, x, yName, xName);
        Guard.SameLength(result, x, resultName, xName);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pr = ref MemoryMarshal.GetReference(result);
        if (Vector512.IsHardwareAccelerated)
            Map<Vector512<float>, Simd512, TOp>(ref px, ref py, ref pr, x.Length, parameter);
        else if (Vector256.IsHardwareAccelerated)
            Map<Vector256<float>, Simd256, TOp>(ref px, ref py, ref pr, x.Length, parameter);
        else
            Map<float, SimdScalar, TOp>(ref px, ref py, ref pr, x.Length, parameter);
    }

    private static void Map<TV, T, TOp>(ref float x, ref float result, int n, float parameter)
        where TV : struct where T : ISimd<TV> where TOp : IUnaryOperator
    {
        TV p = T.Create(parameter);
        int i = 0;
        for (; i <= n - T.Count; i += T.Count)
            T.Store(TOp.Invoke<TV, T>(T.Load(ref Unsafe.Add(ref x, i)), p), ref Unsafe.Add(ref result, i));
        if (i < n)
            T.StoreFirst(TOp.Invoke<TV, T>(T.LoadFirst(ref Unsafe.Add(ref x, i), n - i), p), ref Unsafe.Add(ref result, i), n - i);
    }

    private static void Map<TV, T, TOp>(ref float x, ref float y, ref float result, int n, float parameter)
        where TV : struct where T : ISimd<TV> where TOp : IBinaryOperator
    {
        TV p = T.Create(parameter);
        int i = 0;
        for (; i <= n - T.Count; i += T.Count)
            T.Store(TOp.Invoke<TV, T>(T.Load(ref Unsafe.Add(ref x, i)), T.Load(ref Unsafe.Add(ref y, i)), p), ref Unsafe.Add(ref result, i));
        if (i < n)
        {
            TV tail = TOp.Invoke<TV, T>(T.LoadFirst(ref Unsafe.Add(ref x, i), n - i), T.LoadFirst(ref Unsafe.Add(ref y, i), n - i), p);
            T.StoreFirst(tail, ref Unsafe.Add(ref result, i), n - i);
        }
    }
}
