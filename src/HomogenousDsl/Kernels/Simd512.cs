using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>512-bit registers; used only when <see cref="Vector512.IsHardwareAccelerated"/>.</summary>
internal readonly struct Simd512 : IWideSimd<Vector512<float>, Vector512<double>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    public static Vector512<double> WideZero => Vector512<double>.Zero;

    public static Vector512<float> Create(float value) => Vector512.Create(value);
    public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    // Masked-off lanes are neither read nor written (AVX-512 suppresses their faults), so a tail may end at an array's end.
    public static unsafe Vector512<float> LoadFirst(ref float source, int count)
    {
        fixed (float* p = &source)
            return Avx512F.MaskLoad(p, FirstLanes(count), Vector512<float>.Zero);
    }

    public static unsafe void StoreFirst(Vector512<float> value, ref float destination, int count)
    {
        fixed (float* p = &destination)
            Avx512F.MaskStore(p, FirstLanes(count), value);
    }

    private static Vector512<float> FirstLanes(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    // .NET exposes no 512-bit gather, so a strided load is two 256-bit gathers.
    public static Vector512<float> LoadStrided(ref float source, int stride) => stride == 1
        ? Load(ref source)
        : Vector512.Create(Simd256.LoadStrided(ref source, stride), Simd256.LoadStrided(ref Unsafe.Add(ref source, 8 * stride), stride));

    public static Vector512<float> Add(Vector512<float> x, Vector512<float> y) => x + y;
    public static Vector512<float> Subtract(Vector512<float> x, Vector512<float> y) => x - y;
    public static Vector512<float> Multiply(Vector512<float> x, Vector512<float> y) => x * y;
    public static Vector512<float> MultiplyAdd(Vector512<float> x, Vector512<float> y, Vector512<float> addend) => Vector512.MultiplyAddEstimate(x, y, addend);
    public static Vector512<float> Max(Vector512<float> x, Vector512<float> y) => Vector512.Max(x, y);
    public static Vector512<float> Abs(Vector512<float> x) => Vector512.Abs(x);
    public static Vector512<float> IfGreater(Vector512<float> x, Vector512<float> y, Vector512<float> whenGreater, Vector512<float> otherwise)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, y), whenGreater, otherwise);
    public static float Sum(Vector512<float> x) => Vector512.Sum(x);

    public static void StoreIndices(Vector512<float> offsets, ref int destination, int first, int step)
        => (Vector512.ConvertToInt32(offsets) + Vector512.Create(first) + Vector512<int>.Indices * step).StoreUnsafe(ref destination);

    public static Vector512<double> MultiplyAddWide(Vector512<float> x, Vector512<float> y, Vector512<double> acc)
    {
        acc = Vector512.MultiplyAddEstimate(Vector512.WidenLower(x), Vector512.WidenLower(y), acc);
        return Vector512.MultiplyAddEstimate(Vector512.WidenUpper(x), Vector512.WidenUpper(y), acc);
    }

    public static Vector512<double> AddWide(Vector512<double> x, Vector512<double> y) => x + y;
    public static double SumWide(Vector512<double> acc) => Vector512.Sum(acc);
}
