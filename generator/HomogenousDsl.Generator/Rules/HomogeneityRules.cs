using System.Collections.Generic;

namespace HomogenousDsl.Generator.Rules;

/// <summary>
/// The single rulebook: which attribute is which layer, how it changes the homogeneity degree, and which familiar
/// constructs are rejected and why. The generator and the analyzer both compile this file, so they cannot disagree.
/// </summary>
internal static class HomogeneityRules
{
    public const string Namespace = "HomogenousDsl";
    public const string NetworkAttribute = Namespace + ".HomogeneousNetworkAttribute";
    public const string HomogeneousActivationAttribute = Namespace + ".HomogeneousActivationAttribute";

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
        new LayerRule(Namespace + ".ActivationAttribute", LayerKind.CustomActivation, LayerRole.Activation, LayerRule.InferredDegree),
        new LayerRule(Namespace + ".AddAttribute", LayerKind.Add, LayerRole.Residual, 0),
    };

    /// <summary>Constructs users reach for that break positive homogeneity; each is an error with its reason.</summary>
    public static readonly IReadOnlyList<ForbiddenRule> Forbidden = new[]
    {
        new ForbiddenRule(Namespace + ".SigmoidAttribute", ForbiddenCategory.NonHomogeneousActivation, "sigmoid(c·x) is not cᵏ·sigmoid(x): it equals ½ at 0 and saturates at 1"),
        new ForbiddenRule(Namespace + ".TanhAttribute", ForbiddenCategory.NonHomogeneousActivation, "tanh(c·x) is not cᵏ·tanh(x): it saturates at ±1"),
        new ForbiddenRule(Namespace + ".GELUAttribute", ForbiddenCategory.NonHomogeneousActivation, "GELU(x) = x·Φ(x) is not positively homogeneous: the Gaussian CDF Φ mixes scales"),
        new ForbiddenRule(Namespace + ".SoftplusAttribute", ForbiddenCategory.NonHomogeneousActivation, "softplus(x) = log(1 + eˣ) is not positively homogeneous: it equals log 2 at 0"),
        new ForbiddenRule(Namespace + ".ELUAttribute", ForbiddenCategory.NonHomogeneousActivation, "ELU is α(eˣ − 1) for x < 0, which saturates at −α and is not positively homogeneous"),
        new ForbiddenRule(Namespace + ".SiLUAttribute", ForbiddenCategory.NonHomogeneousActivation, "SiLU(x) = x·sigmoid(x) is not positively homogeneous: the sigmoid mixes scales"),
        new ForbiddenRule(Namespace + ".BatchNormAttribute", ForbiddenCategory.Normalization, "batch normalization divides by batch statistics, so its output ignores the scale of the weights before it, and its learned shift is a bias"),
        new ForbiddenRule(Namespace + ".LayerNormAttribute", ForbiddenCategory.Normalization, "layer normalization divides by per-sample statistics, so its output ignores the scale of the weights before it, and its learned shift is a bias"),
        new ForbiddenRule(Namespace + ".DropoutAttribute", ForbiddenCategory.Normalization, "dropout with 1/(1 − p) rescaling makes the network random, so f(θ; x), its degree and its margin no longer describe one function"),
    };

    private static readonly Dictionary<string, LayerRule> s_layers = Index(Layers, static r => r.AttributeName);
    private static readonly Dictionary<string, ForbiddenRule> s_forbidden = Index(Forbidden, static r => r.AttributeName);

    public static LayerRule? Find(string attributeMetadataName) =>
        s_layers.TryGetValue(attributeMetadataName, out var rule) ? rule : null;

    public static ForbiddenRule? FindForbidden(string attributeMetadataName) =>
        s_forbidden.TryGetValue(attributeMetadataName, out var rule) ? rule : null;

    /// <summary>
    /// The degree after a layer: parameterized layers add one, activations of degree k multiply by k, everything else
    /// keeps it. <paramref name="activationDegree"/> is the rule's own degree, or the inferred one for a user activation.
    /// </summary>
    public static int DegreeAfter(LayerRole role, int activationDegree, int degree) => role switch
    {
        LayerRole.Parameterized => degree + 1,
        LayerRole.Activation => degree * activationDegree,
        _ => degree,
    };

    private static Dictionary<string, T> Index<T>(IReadOnlyList<T> rules, System.Func<T, string> key)
    {
        var index = new Dictionary<string, T>();
        foreach (var rule in rules)
            index[key(rule)] = rule;
        return index;
    }
}
