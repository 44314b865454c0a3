namespace HomogenousDsl.Training;

/// <summary>
/// Thrown when a training step produces NaN or infinity. The trainer has already restored the parameters of its last
/// measurement (the last state known to be good) and rewound its step count to it.
/// </summary>
public sealed class NonFiniteValueException(long step, string tensor, long restoredStep)
    : Exception($"Step {step}: the {tensor} went non-finite (NaN or infinity). The parameters of step {restoredStep}, the last measurement, are restored; lower the step size or check the data.")
{
    /// <summary>The step that failed.</summary>
    public long Step { get; } = step;

    /// <summary>Which tensor went non-finite: "gradient" or "parameters".</summary>
    public string Tensor { get; } = tensor;

    /// <summary>The step whose parameters the trainer holds again.</summary>
    public long RestoredStep { get; } = restoredStep;
}
