namespace HomogenousDsl.Kernels;

/// <summary>
/// A bias-free dense layer with one output above a first-layer pair (the last layer of a binary classifier), whose
/// backward pass <see cref="FirstLayerPairBackward"/> takes over row by row: every one of the head's products is
/// per row of the upper layer's output (δ(r, b) = act′ ⊙ w(r)·dy(b), dw(r) = Σ_b dy(b)·h(r, b)), so the shard that
/// owns upper rows [first, end) makes them itself, with no dispatch of their own and no line from the other core.
/// </summary>
internal readonly ref struct OneOutputHead
{
    /// <summary>The head's weights, one per upper feature.</summary>
    public ReadOnlySpan<float> Weight { get; init; }

    /// <summary>The head's input, the upper layer's output, feature-major [upper features × batch].</summary>
    public ReadOnlySpan<float> Input { get; init; }

    /// <summary>The network's output adjoint, one per sample.</summary>
    public ReadOnlySpan<float> OutputAdjoint { get; init; }

    /// <summary>The head's weight gradient, one per upper feature.</summary>
    public Span<float> WeightGradient { get; init; }

    /// <summary>The head's input adjoint, feature-major: the upper layer's output adjoint, written here.</summary>
    public Span<float> InputAdjoint { get; init; }

    /// <summary>The activation between the upper layer and the head (its derivative's sign read from <see cref="Input"/>).</summary>
    public ActivationEpilogue Activation { get; init; }

    /// <summary>LeakyReLU's slope.</summary>
    public float Slope { get; init; }

    /// <summary>No head: the pair alone.</summary>
    public bool IsEmpty => Weight.IsEmpty;
}
