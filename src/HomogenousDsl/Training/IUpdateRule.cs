namespace HomogenousDsl.Training;

/// <summary>
/// How parameters move given a gradient. The trainer hands over the direction g = ∇(Σℓ)/Σℓ (finite whatever the loss's
/// size) and log of the scale that turns it into the gradient of the mean batch loss, ∇L = e^{logScale}·g. Rules that
/// need the true gradient apply the scale last; normalized or loss-based rules never form it at all.
/// </summary>
public interface IUpdateRule
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>The step size η that enters the sphere step γ̄ of the margin reports.</summary>
    double StepSize { get; }

    /// <summary>
    /// Updates <paramref name="parameters"/> in place; returns false when a new parameter is NaN or ±∞ (checked in the
    /// same pass, so the trainer needs no second sweep).
    /// </summary>
    bool Apply(Span<float> parameters, ReadOnlySpan<float> direction, double logScale);
}
