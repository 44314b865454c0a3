namespace HomogenousDsl.Training;

/// <summary>
/// An elementwise rule that is one scaled step, θ ← θ + s·direction with s the same for every coordinate, computed in
/// one rounding per coordinate (a fused multiply-add). A layer's weight-gradient product can then write the update
/// itself (<see cref="LayerwiseUpdate"/>), bit-identical to <see cref="IUpdateRule.Apply"/>.
/// </summary>
internal interface IScaledStepRule : IElementwiseUpdateRule
{
    /// <summary>The factor s that <see cref="IUpdateRule.Apply"/> uses for this <paramref name="logScale"/>.</summary>
    float Scale(double logScale);
}
