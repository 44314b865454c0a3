using System.Collections.Generic;

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
}

/// <summary>One row of the rulebook.</summary>
internal sealed class LayerRule
{
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

    /// <summary>For activations, the degree k of positive homogeneity: σ(c·x) = c^k σ(x).</summary>
    public int ActivationDegree { get; }
}

/// <summary>
/// The single rulebook: which attribute is which layer and how it changes the homogeneity degree.
/// The generator and the analyzer both compile this file, so they cannot disagree.
/// </summary>
internal static class HomogeneityRules
{
    public const string Namespace = "HomogenousDsl";
    public const string NetworkAttribute = Namespace + ".HomogeneousNetworkAttribute";

    public static readonly IReadOnlyList<LayerRule> Layers = new[]
    {
        new LayerRule(Namespace + ".DenseAttribute", LayerKind.Dense, LayerRole.Parameterized, 0),
        new LayerRule(Namespace + ".Conv2dAttribute", LayerKind.Conv2d, LayerRole.Parameterized, 0),
        new LayerRule(Namespace + ".MaxPool2dAttribute", LayerKind.MaxPool2d, LayerRole.ShapeOnly, 0),
        new LayerRule(Namespace + ".AvgPool2dAttribute", LayerKind.AvgPool2d, LayerRole.ShapeOnly, 0),
        new LayerRule(Namespace + ".FlattenAttribute", LayerKind.Flatten, LayerRole.ShapeOnly, 0),
        new LayerRule(Namespace + ".ReLUAttribute", LayerKind.ReLU, LayerRole.Activation, 1),
        new LayerRule(Namespace + ".LeakyReLUAttribute", LayerKind.LeakyReLU, LayerRole.Activation, 1),
        new LayerRule(Namespace + ".IdentityAttribute", LayerKind.Identity, LayerRole.Activation, 1),
        new LayerRule(Namespace + ".AbsAttribute", LayerKind.Abs, LayerRole.Activation, 1),
        new LayerRule(Namespace + ".SquaredReLUAttribute", LayerKind.SquaredReLU, LayerRole.Activation, 2),
    };

    private static readonly Dictionary<string, LayerRule> s_byName = BuildIndex();

    public static LayerRule? Find(string attributeMetadataName) =>
        s_byName.TryGetValue(attributeMetadataName, out var rule) ? rule : null;

    /// <summary>The degree after a layer: parameterized layers add one, activations of degree k multiply by k.</summary>
    public static int DegreeAfter(LayerRule rule, int degree) => rule.Role switch
    {
        LayerRole.Parameterized => degree + 1,
        LayerRole.Activation => degree * rule.ActivationDegree,
        _ => degree,
    };

    private static Dictionary<string, LayerRule> BuildIndex()
    {
        var index = new Dictionary<string, LayerRule>();
        foreach (var rule in Layers)
            index[rule.AttributeName] = rule;
        return index;
    }
}
