namespace HomogenousDsl.Training;

/// <summary>
/// An elementwise rule whose step is θ ← fma(factor, g, θ) with one float factor for every coordinate, computed as
/// <see cref="Kernels.VectorMath.AxpyAllFinite"/> does. The gradient engine may then let large dense layers take the
/// step while they store their weight gradients (<see cref="Kernels.FusedUpdate"/>), bit-identical to
/// <see cref="IUpdateRule.Apply"/> afterwards, and apply the rule itself only to the other parameters.
/// </summary>
internal interface IAxpyUpdateRule : IElementwiseUpdateRule
{
    /// <summary>The factor <see cref="IUpdateRule.Apply"/> multiplies the direction by for this <paramref name="logScale"/>.</summary>
    float Factor(double logScale);
}
