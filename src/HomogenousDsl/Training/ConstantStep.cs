using HomogenousDsl.Kernels;

namespace HomogenousDsl.Training;

/// <summary>
/// θ ← θ − η ∇L: plain (stochastic) subgradient descent with a constant step, exactly as Schechtman &amp; Schreuder
/// analyse it. With full batches this is gradient descent. In the late stage η·L can fall below float resolution of θ;
/// the update then is exactly what float arithmetic gives, which is what a run of the analysed method does.
/// </summary>
/// <param name="stepSize">The step size η.</param>
public sealed class ConstantStep(double stepSize) : IScaledStepRule
{
    /// <inheritdoc/>
    public string Name => "constant-step";

    /// <inheritdoc/>
    public double StepSize { get; } = stepSize > 0 && double.IsFinite(stepSize)
        ? stepSize
        : throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be positive and finite.");

    /// <inheritdoc/>
    public bool Apply(Span<float> parameters, ReadOnlySpan<float> direction, double logScale)
        => VectorMath.AxpyAllFinite(((IScaledStepRule)this).Scale(logScale), direction, parameters);

    float IScaledStepRule.Scale(double logScale) => (float)(-StepSize * Math.Exp(logScale));
}
