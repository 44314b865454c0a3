namespace HomogenousDsl;

/// <summary><c>max(x, 0)</c>: degree 1, with the subgradient <c>ReLU'(0) = 0</c>.</summary>
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary><c>x &gt; 0 ? x : α·x</c>: degree 1, with <c>LeakyReLU'(0) = α</c>.</summary>
/// <param name="slope">The negative-side slope α.</param>
public sealed class LeakyReLUAttribute(float slope) : LayerAttribute
{
    /// <summary>The negative-side slope α.</summary>
    public float Slope { get; } = slope;
}

/// <summary>The identity: degree 1, useful to keep layer indices aligned with a PyTorch model.</summary>
public sealed class IdentityAttribute : LayerAttribute
{
}

/// <summary><c>|x|</c>: degree 1, with <c>Abs'(0) = 0</c>.</summary>
public sealed class AbsAttribute : LayerAttribute
{
}

/// <summary><c>max(x, 0)²</c>: degree 2, with derivative <c>2·max(x, 0)</c>.</summary>
public sealed class SquaredReLUAttribute : LayerAttribute
{
}
