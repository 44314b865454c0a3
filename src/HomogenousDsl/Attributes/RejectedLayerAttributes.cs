namespace HomogenousDsl;

// These attributes exist to be rejected. A user who reaches for a familiar layer gets a compile-time error that says
// why it breaks positive homogeneity and what to write instead (HD0002, HD0003), not an unknown-attribute mystery.
// The generator emits nothing for a network that contains one.

/// <summary>The logistic sigmoid. Not positively homogeneous (σ(0) = ½, saturates at 1): rejected with HD0002; use <see cref="ReLUAttribute"/>.</summary>
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>The hyperbolic tangent. Not positively homogeneous (saturates at ±1): rejected with HD0002; use <see cref="ReLUAttribute"/>.</summary>
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>GELU, x·Φ(x). Not positively homogeneous (Φ mixes scales): rejected with HD0002; use <see cref="ReLUAttribute"/>.</summary>
public sealed class GELUAttribute : LayerAttribute
{
}

/// <summary>Softplus, log(1 + eˣ). Not positively homogeneous (log 2 at 0): rejected with HD0002; use <see cref="ReLUAttribute"/>.</summary>
public sealed class SoftplusAttribute : LayerAttribute
{
}

/// <summary>ELU, α(eˣ − 1) for x &lt; 0. Not positively homogeneous (saturates at −α): rejected with HD0002; use <see cref="LeakyReLUAttribute"/>.</summary>
public sealed class ELUAttribute : LayerAttribute
{
}

/// <summary>SiLU (swish), x·σ(x). Not positively homogeneous (σ mixes scales): rejected with HD0002; use <see cref="ReLUAttribute"/>.</summary>
public sealed class SiLUAttribute : LayerAttribute
{
}

/// <summary>Batch normalization. Its output ignores the scale of the weights before it and adds a learned shift: rejected with HD0003.</summary>
public sealed class BatchNormAttribute : LayerAttribute
{
}

/// <summary>Layer normalization. Its output ignores the scale of the weights before it and adds a learned shift: rejected with HD0003.</summary>
public sealed class LayerNormAttribute : LayerAttribute
{
}

/// <summary>Dropout with 1/(1 − p) rescaling. Makes f random, so the homogeneity identities and the margin no longer describe one function: rejected with HD0003.</summary>
/// <param name="probability">The drop probability p.</param>
public sealed class DropoutAttribute(float probability) : LayerAttribute
{
    /// <summary>The drop probability p.</summary>
    public float Probability { get; } = probability;
}
