namespace HomogenousDsl;

/// <summary>How a backward pass stores the subgradient it computes.</summary>
public enum GradientWrite
{
    /// <summary>Adds to the gradient buffer (summing batches or blocks).</summary>
    Accumulate,

    /// <summary>
    /// Replaces the gradient buffer, which may hold anything before: the first block of a step needs no clearing pass,
    /// and the weight-gradient products store instead of load-add-store.
    /// </summary>
    Overwrite,
}
