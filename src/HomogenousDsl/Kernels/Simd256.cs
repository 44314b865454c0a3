using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>256-bit registers; used only when <see cref="Vector256.IsHardwareAccelerated"/>, which on x64 implies AVX2.</summary>
internal readonly struct Simd256 : IWideSimd<Vector256<float>, Vector256<double>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    public static Vector256<double> WideZero => Vector256<double>.Zero;

    public static Vector256<float> Create(float value) => Vector256.Create(value);
    public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    // VMASKMOVPS: masked-off lanes are neither read nor written.
    public static unsafe Vector256<float> LoadFirst(ref float source, int count)
    {
        fixed (float* p = &source)
            return Avx.MaskLoad(p, FirstLanes(count));
    }

    public static unsafe void StoreFirst(Vector256<float> value, ref float destination, int count)
    {
        fixed (float* p = &destination)
            Avx.MaskStore(p, FirstLanes(count), value);
    }

    private static Vector256<float> FirstLanes(int count) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    public static unsafe Vector256<float> LoadStrided(ref float source, int stride)
    {
        if (stride == 1)
            return Load(ref source);
        fixed (float* p = &source)
            return Avx2.GatherVector256(p, Vector256<int>.Indices * stride, sizeof(float));
    }

    public static Vector256<float> Add(Vector256<float> x, Vector256<float> y) => x + y;
    public static Vector256<float> Subtract(Vector256<float> x, Vector256<float> y) => x - y;
    public static Vector256<float> Multiply(Vector256<float> x, Vector256<float> y) => x * y;
    public static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> addend) => Vector256.MultiplyAddEstimate(x, y, addend);
    public static Vector256<float> Max(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);
    public static Vector256<float> Abs(Vector256<float> x) => Vector256.Abs(x);
    public static Vector256<float> IfGreater(Vector256<float> x, Vector256<float> y, Vector256<float> whenGreater, Vector256<float> otherwise)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, y), whenGreater, otherwise);
    public static float Sum(Vector256<float> x) => Vector256.Sum(x);

    public static void StoreIndices(Vector256<float> offsets, ref int destination, int first, int step)
        => (Vector256.ConvertToInt32(offsets) + Vector256.Create(first) + Vector256<int>.Indices * step).StoreUnsafe(ref destination);

    public static Vector256<double> MultiplyAddWide(Vector256<float> x, Vector256<float> y, Vector256<double> acc)
    {
        acc = Vector256.MultiplyAddEstimate(Vector256.WidenLower(x), Vector256.WidenLower(y), acc);
        return Vector256.MultiplyAddEstimate(Vector256.WidenUpper(x), Vector256.WidenUpper(y), acc);
    }

    public static Vector256<double> AddWide(Vector256<double> x, Vector256<double> y) => x + y;
    public static double SumWide(Vector256<double> acc) => Vector256.Sum(acc);
}
