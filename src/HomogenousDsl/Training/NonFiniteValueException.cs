namespace HomogenousDsl.Training;

/// <summary>Thrown when training produces NaN or infinity; the parameters before the failing step are kept.</summary>
public sealed class NonFiniteValueException(long step, string tensor)
    : Exception($"Step {step}: the {tensor} went non-finite (NaN or infinity). The parameters before this step are kept; lower the step size or check the data.")
{
    /// <summary>The step that failed.</summary>
    public long Step { get; } = step;

    /// <summary>Which tensor went non-finite (for example "gradient" or "parameters").</summary>
    public string Tensor { get; } = tensor;
}
