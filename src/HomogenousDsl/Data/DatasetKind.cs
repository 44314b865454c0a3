namespace HomogenousDsl.Data;

/// <summary>How a <see cref="Dataset"/>'s targets are to be read.</summary>
public enum DatasetKind
{
    /// <summary>Two classes; targets are the signs −1 and +1 that a scalar-output network should produce.</summary>
    Binary,

    /// <summary>Two or more classes; targets are class indices 0..k−1 for a k-output network.</summary>
    Multiclass,
}
