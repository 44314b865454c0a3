using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>Vectorized BLAS-1 style operations on float spans. Paired spans must have equal lengths.</summary>
public static class VectorMath
{
    /// <summary>Returns Σ x[i]·y[i], accumulated in float.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Guard.SameLength(y, x);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
            return Dot<Vector512<float>, Simd512>(ref px, ref py, x.Length);
        if (Vector256.IsHardwareAccelerated)
            return Dot<Vector256<float>, Simd256>(ref px, ref py, x.Length);
        return Dot<float, SimdScalar>(ref px, ref py, x.Length);
    }

    /// <summary>Returns Σ x[i]·y[i], with products and sum formed in double.</summary>
    public static double Dot64(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Guard.SameLength(y, x);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
            return Dot64<Vector512<float>, Vector512<double>, Simd512>(ref px, ref py, x.Length);
        if (Vector256.IsHardwareAccelerated)
            return Dot64<Vector256<float>, Vector256<double>, Simd256>(ref px, ref py, x.Length);
        return Dot64<float, double, SimdScalar>(ref px, ref py, x.Length);
    }

    /// <summary>Returns Σ x[i]², with squares and sum formed in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x) => Dot64(x, x);

    /// <summary>Returns Σ x[i], accumulated in float.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
            return Sum<Vector512<float>, Simd512>(ref px, x.Length);
        if (Vector256.IsHardwareAccelerated)
            return Sum<Vector256<float>, Simd256>(ref px, x.Length);
        return Sum<float, SimdScalar>(ref px, x.Length);
    }

    /// <summary>y += a·x.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<AxpyOperator>(x, y, y, a);

    /// <summary>y += x.</summary>
    public static void Add(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<AddOperator>(x, y, y, 0f);

    /// <summary>x *= a.</summary>
    public static void Scale(Span<float> x, float a) => Elementwise.Map<ScaleOperator>(x, x, a);

    /// <summary>
    /// y += a·x in one pass that also reports whether every new y is finite: a training update and its NaN/∞ check
    /// without a second sweep over millions of parameters.
    /// </summary>
    public static bool AxpyAllFinite(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.SameLength(y, x, nameof(y), nameof(x));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
            return AxpyAllFinite<Vector512<float>, Simd512>(a, ref px, ref py, x.Length);
        if (Vector256.IsHardwareAccelerated)
            return AxpyAllFinite<Vector256<float>, Simd256>(a, ref px, ref py, x.Length);
        return AxpyAllFinite<float, SimdScalar>(a, ref px, ref py, x.Length);
    }

    /// <summary>Returns true when no element is NaN or ±∞.</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
            return AllFinite<Vector512<float>, Simd512>(ref px, x.Length);
        if (Vector256.IsHardwareAccelerated)
            return AllFinite<Vector256<float>, Simd256>(ref px, x.Length);
        return AllFinite<float, SimdScalar>(ref px, x.Length);
    }

    // Four independent accumulators hide the FMA latency; the single-register loop and the scalar loop finish the rest.
    internal static float Dot<TV, T>(ref float x, ref float y, int n) where TV : struct where T : ISimd<TV>
    {
        TV s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
        int w = T.Count, i = 0;
        for (; i <= n - 4 * w; i += 4 * w)
        {
            s0 = T.MultiplyAdd(T.Load(ref Unsafe.Add(ref x, i)), T.Load(ref Unsafe.Add(ref y, i)), s0);
            s1 = T.MultiplyAdd(T.Load(ref Unsafe.Add(ref x, i + w)), T.Load(ref Unsafe.Add(ref y, i + w)), s1);
            s2 = T.MultiplyAdd(T.Load(ref Unsafe.Add(ref x, i + 2 * w)), T.Load(ref Unsafe.Add(ref y, i + 2 * w)), s2);
            s3 = T.MultiplyAdd(T.Load(ref Unsafe.Add(ref x, i + 3 * w)), T.Load(ref Unsafe.Add(ref y, i + 3 * w)), s3);
        }
        for (; i <= n - w; i += w)
            s0 = T.MultiplyAdd(T.Load(ref Unsafe.Add(ref x, i)), T.Load(ref Unsafe.Add(ref y, i)), s0);
        float sum = T.Sum(T.Add(T.Add(s0, s1), T.Add(s2, s3)));
        for (; i < n; i++)
            sum = float.MultiplyAddEstimate(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), sum);
        return sum;
    }

    private static double Dot64<TV, TD, T>(ref float x, ref float y, int n) where TV : struct where TD : struct where T : IWideSimd<TV, TD>
    {
        TD s0 = T.WideZero, s1 = T.WideZero;
        int w = T.Count, i = 0;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            s0 = T.MultiplyAddWide(T.Load(ref Unsafe.Add(ref x, i)), T.Load(ref Unsafe.Add(ref y, i)), s0);
            s1 = T.MultiplyAddWide(T.Load(ref Unsafe.Add(ref x, i + w)), T.Load(ref Unsafe.Add(ref y, i + w)), s1);
        }
        double sum = T.SumWide(T.AddWide(s0, s1));
        for (; i < n; i++)
            sum += (double)Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        return sum;
    }

    internal static float Sum<TV, T>(ref float x, int n) where TV : struct where T : ISimd<TV>
    {
        TV s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
        int w = T.Count, i = 0;
        for (; i <= n - 4 * w; i += 4 * w)
        {
            s0 = T.Add(s0, T.Load(ref Unsafe.Add(ref x, i)));
            s1 = T.Add(s1, T.Load(ref Unsafe.Add(ref x, i + w)));
            s2 = T.Add(s2, T.Load(ref Unsafe.Add(ref x, i + 2 * w)));
            s3 = T.Add(s3, T.Load(ref Unsafe.Add(ref x, i + 3 * w)));
        }
        float sum = T.Sum(T.Add(T.Add(s0, s1), T.Add(s2, s3)));
        for (; i < n; i++)
            sum += Unsafe.Add(ref x, i);
        return sum;
    }

    // x - x is 0 for finite x and NaN for NaN or ±∞, and NaN survives the sum, so one compare at the end decides.
    private static bool AllFinite<TV, T>(ref float x, int n) where TV : struct where T : ISimd<TV>
    {
        TV acc = T.Zero;
        int i = 0;
        for (; i <= n - T.Count; i += T.Count)
        {
            TV v = T.Load(ref Unsafe.Add(ref x, i));
            acc = T.Add(acc, T.Subtract(v, v));
        }
        for (; i < n; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref x, i)))
                return false;
        }
        return T.Sum(acc) == 0f;
    }

    private static bool AxpyAllFinite<TV, T>(float a, ref float x, ref float y, int n) where TV : struct where T : ISimd<TV>
    {
        // v − v is 0 for finite v and NaN otherwise; four accumulators keep the check off the loop's critical path,
        // so the pass runs at memory speed rather than at one add latency per register.
        TV acc0 = T.Zero, acc1 = T.Zero, acc2 = T.Zero, acc3 = T.Zero, scale = T.Create(a);
        int w = T.Count, i = 0;
        for (; i <= n - 4 * w; i += 4 * w)
        {
            TV v0 = T.MultiplyAdd(scale, T.Load(ref Unsafe.Add(ref x, i)), T.Load(ref Unsafe.Add(ref y, i)));
            TV v1 = T.MultiplyAdd(scale, T.Load(ref Unsafe.Add(ref x, i + w)), T.Load(ref Unsafe.Add(ref y, i + w)));
            TV v2 = T.MultiplyAdd(scale, T.Load(ref Unsafe.Add(ref x, i + 2 * w)), T.Load(ref Unsafe.Add(ref y, i + 2 * w)));
            TV v3 = T.MultiplyAdd(scale, T.Load(ref Unsafe.Add(ref x, i + 3 * w)), T.Load(ref Unsafe.Add(ref y, i + 3 * w)));
            T.Store(v0, ref Unsafe.Add(ref y, i));
            T.Store(v1, ref Unsafe.Add(ref y, i + w));
            T.Store(v2, ref Unsafe.Add(ref y, i + 2 * w));
            T.Store(v3, ref Unsafe.Add(ref y, i + 3 * w));
            acc0 = T.Add(acc0, T.Subtract(v0, v0));
            acc1 = T.Add(acc1, T.Subtract(v1, v1));
            acc2 = T.Add(acc2, T.Subtract(v2, v2));
            acc3 = T.Add(acc3, T.Subtract(v3, v3));
        }
        for (; i <= n - w; i += w)
        {
            TV v = T.MultiplyAdd(scale, T.Load(ref Unsafe.Add(ref x, i)), T.Load(ref Unsafe.Add(ref y, i)));
            T.Store(v, ref Unsafe.Add(ref y, i));
            acc0 = T.Add(acc0, T.Subtract(v, v));
        }
        var finite = T.Sum(T.Add(T.Add(acc0, acc1), T.Add(acc2, acc3))) == 0f;
        for (; i < n; i++)
        {
            var v = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
            Unsafe.Add(ref y, i) = v;
            finite &= float.IsFinite(v);
        }
        return finite;
    }

    private readonly struct AxpyOperator : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV x, TV y, TV a) where TV : struct where T : ISimd<TV> => T.MultiplyAdd(a, x, y);
    }

    private readonly struct AddOperator : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV x, TV y, TV unused) where TV : struct where T : ISimd<TV> => T.Add(x, y);
    }

    private readonly struct ScaleOperator : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV x, TV a) where TV : struct where T : ISimd<TV> => T.Multiply(x, a);
    }
}
