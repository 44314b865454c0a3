using System.Runtime.CompilerServices;

namespace HomogenousDsl.Kernels;

/// <summary>Argument checks run once at kernel entry, so the hot loops below them may skip bounds checks.</summary>
internal static class Guard
{
    public static void AtLeast<T>(ReadOnlySpan<T> span, long required, [CallerArgumentExpression(nameof(span))] string name = "")
    {
        if (span.Length < required)
            throw new ArgumentException($"Span '{name}' is too short: {span.Length} elements given, {required} required.", name);
    }

    public static void SameLength(ReadOnlySpan<float> span, ReadOnlySpan<float> reference,
        [CallerArgumentExpression(nameof(span))] string name = "", [CallerArgumentExpression(nameof(reference))] string referenceName = "")
    {
        if (span.Length != reference.Length)
            throw new ArgumentException($"Span '{name}' has {span.Length} elements but '{referenceName}' has {reference.Length}; they must match.", name);
    }

    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be positive.");
    }

    public static void NonNegative(int value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must not be negative.");
    }
}
