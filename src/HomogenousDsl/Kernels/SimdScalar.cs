using System.Runtime.Intrinsics;

namespace HomogenousDsl.Kernels;

/// <summary>One float per "register": the fallback without SIMD hardware, and every kernel's tail loop.</summary>
internal readonly struct SimdScalar : IWideSimd<float, double>
{
    public static int Count => 1;
    public static float Zero => 0f;
    public static double WideZero => 0d;

    public static float Create(float value) => value;
    public static float Load(ref float source) => source;
    public static float LoadStrided(ref float source, int stride) => source;
    public static void Store(float value, ref float destination) => destination = value;
    // A one-float register has no partial tail; callers only ask for 0 < count < Count.
    public static float LoadFirst(ref float source, int count) => count > 0 ? source : 0f;
    public static void StoreFirst(float value, ref float destination, int count)
    {
        if (count > 0)
            destination = value;
    }

    public static float Add(float x, float y) => x + y;
    public static float Subtract(float x, float y) => x - y;
    public static float Multiply(float x, float y) => x * y;
    public static float MultiplyAdd(float x, float y, float addend) => float.MultiplyAddEstimate(x, y, addend);
    public static float Max(float x, float y) => MathF.Max(x, y);
    public static float Abs(float x) => MathF.Abs(x);
    // A one-lane SIMD select rather than a branch, which would mispredict on data-dependent comparisons.
    public static float IfGreater(float x, float y, float whenGreater, float otherwise) => Vector128.ConditionalSelect(
        Vector128.GreaterThan(Vector128.CreateScalarUnsafe(x), Vector128.CreateScalarUnsafe(y)),
        Vector128.CreateScalarUnsafe(whenGreater), Vector128.CreateScalarUnsafe(otherwise)).ToScalar();
    public static float Sum(float x) => x;
    public static void StoreIndices(float offsets, ref int destination, int first, int step) => destination = first + (int)offsets;

    public static double MultiplyAddWide(float x, float y, double acc) => acc + (double)x * y;
    public static double AddWide(double x, double y) => x + y;
    public static double SumWide(double acc) => acc;
}
