namespace HomogenousDsl.Generator.Rules;

/// <summary>The layer kinds, numbered as the runtime's <c>HomogenousDsl.LayerKind</c>.</summary>
internal enum LayerKind
{
    Dense = 0,
    Conv2d = 1,
    MaxPool2d = 2,
    AvgPool2d = 3,
    Flatten = 4,
    ReLU = 5,
    LeakyReLU = 6,
    Identity = 7,
    Abs = 8,
    SquaredReLU = 9,
    CustomActivation = 10,
    Add = 11,
}

/// <summary>What a layer does to the homogeneity degree d of what it receives.</summary>
internal enum LayerRole
{
    /// <summary>Owns weights: d ← d + 1.</summary>
    Parameterized,

    /// <summary>A positively homogeneous activation of degree k: d ← k·d.</summary>
    Activation,

    /// <summary>Degree-1 in its input and parameter-free (pooling, reshapes): d unchanged.</summary>
    ShapeOnly,

    /// <summary>Adds an earlier layer's output: homogeneous only when both branches have the same degree, which it keeps.</summary>
    Residual,
}

/// <summary>One row of the rulebook.</summary>
internal sealed class LayerRule
{
    /// <summary>Marks a user activation, whose degree is inferred from its <c>Value</c> method.</summary>
    public const int InferredDegree = -1;

    public LayerRule(string attributeName, LayerKind kind, LayerRole role, int activationDegree)
    {
        AttributeName = attributeName;
        Kind = kind;
        Role = role;
        ActivationDegree = activationDegree;
    }

    /// <summary>The attribute's metadata name, e.g. <c>HomogenousDsl.DenseAttribute</c>.</summary>
    public string AttributeName { get; }

    public LayerKind Kind { get; }

    public LayerRole Role { get; }

    /// <summary>For activations, the degree k of positive homogeneity: σ(c·x) = c^k σ(x); <see cref="InferredDegree"/> for user activations.</summary>
    public int ActivationDegree { get; }
}

/// <summary>Why a forbidden construct is rejected; the analyzer reports each category under its own id.</summary>
internal enum ForbiddenCategory
{
    NonHomogeneousActivation,
    Normalization,
}

/// <summary>A construct that breaks positive homogeneity, with the reason quoted in the diagnostic.</summary>
internal sealed class ForbiddenRule
{
    public ForbiddenRule(string attributeName, ForbiddenCategory category, string reason)
    {
        AttributeName = attributeName;
        Category = category;
        Reason = reason;
    }

    public string AttributeName { get; }

    public ForbiddenCategory Category { get; }

    public string Reason { get; }
}
