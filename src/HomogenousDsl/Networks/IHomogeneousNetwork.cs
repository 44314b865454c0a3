namespace HomogenousDsl;

/// <summary>
/// Implemented by the source generator on every <see cref="HomogeneousNetworkAttribute"/> type. The members are static
/// so that generic code such as <see cref="Training.Trainer{TNetwork}"/> is specialized per network by the JIT.
/// </summary>
/// <typeparam name="TSelf">The network type itself.</typeparam>
public interface IHomogeneousNetwork<TSelf> where TSelf : IHomogeneousNetwork<TSelf>
{
    /// <summary>The homogeneity degree L.</summary>
    static abstract int Degree { get; }

    /// <summary>Input floats per sample.</summary>
    static abstract int InputSize { get; }

    /// <summary>Outputs per sample.</summary>
    static abstract int OutputSize { get; }

    /// <summary>Length of the flat parameter vector.</summary>
    static abstract int ParameterCount { get; }

    /// <summary>The layer table.</summary>
    static abstract NetworkDescription Description { get; }

    /// <summary>Floats of workspace that <see cref="Forward"/> and <see cref="Backward"/> need for a batch.</summary>
    static abstract int WorkspaceSize(int batch);

    /// <summary>
    /// Computes <c>outputs[b, :] = f(θ; inputs[b, :])</c> for <paramref name="batch"/> samples and keeps the
    /// intermediate activations in <paramref name="workspace"/> for a following <see cref="Backward"/>.
    /// </summary>
    static abstract void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, Span<float> outputs, int batch, Span<float> workspace);

    /// <summary>
    /// Adds <c>∂/∂θ Σ_b ⟨outputAdjoints[b, :], f(θ; inputs[b, :])⟩</c> to <paramref name="gradient"/>, or with
    /// <see cref="GradientWrite.Overwrite"/> stores it there (every parameter is written), using the activations the
    /// preceding <see cref="Forward"/> left in <paramref name="workspace"/> (same parameters, inputs and batch). Kinks
    /// use the fixed subgradient choices ReLU'(0) = 0, LeakyReLU'(0) = α, first maximum in pooling.
    /// </summary>
    static abstract void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputAdjoints, Span<float> gradient, int batch, Span<float> workspace,
        GradientWrite write = GradientWrite.Accumulate);
}
