namespace HomogenousDsl.Persistence;

/// <summary>A float array read from a NumPy .npy file: its C-order data and shape.</summary>
public sealed class NpyArray
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as an array of shape <paramref name="shape"/>.</summary>
    /// <param name="data">The elements in C (row-major) order; its length is the product of the shape.</param>
    /// <param name="shape">The sizes of the dimensions, outermost first; empty for a scalar.</param>
    public NpyArray(float[] data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
        if (ElementCount(shape) != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape ({string.Join(", ", shape)}).", nameof(data));
        Data = data;
        Shape = shape;
    }

    /// <summary>The elements in C (row-major) order.</summary>
    public float[] Data { get; }

    /// <summary>The sizes of the dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    // The product of non-negative sizes, capped just above the largest array so that it cannot overflow.
    internal static long ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
            count = Math.Min(count * d, (long)Array.MaxLength + 1);
        return count;
    }
}
