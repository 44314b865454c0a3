namespace HomogenousDsl.Data;

/// <summary>An unsigned-byte array read from an IDX file: its dimensions and row-major data.</summary>
public sealed class IdxArray
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as an array of shape <paramref name="dimensions"/>.</summary>
    /// <param name="dimensions">The sizes of the dimensions, outermost first; each positive.</param>
    /// <param name="data">The elements in row-major order; its length is the product of the dimensions.</param>
    /// <param name="source">The file or stream the array came from, for messages.</param>
    public IdxArray(int[] dimensions, byte[] data, string source)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(source);
        long product = 1;
        foreach (int d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(dimensions));
            product = checked(product * d);
        }
        if (dimensions.Length == 0 || product != data.Length)
            throw new ArgumentException($"{data.Length} bytes do not fill dimensions [{string.Join(", ", dimensions)}].", nameof(data));
        Dimensions = dimensions;
        Data = data;
        Source = source;
    }

    /// <summary>The sizes of the dimensions, outermost first (e.g. count, rows, columns).</summary>
    public int[] Dimensions { get; }

    /// <summary>The elements in row-major order.</summary>
    public byte[] Data { get; }

    /// <summary>The file or stream the array came from.</summary>
    public string Source { get; }
}
