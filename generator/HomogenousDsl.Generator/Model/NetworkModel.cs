using HomogenousDsl.Generator.Rules;

namespace HomogenousDsl.Generator.Model;

/// <summary>
/// Everything the emitters need to know about one network, as names, numbers and value-equal arrays only: no symbols,
/// syntax or locations, so the incremental pipeline can cache it.
/// </summary>
internal sealed record NetworkModel(
    string? Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string TypeKeyword,
    string TypeName,
    EquatableArray<int> InputShape,
    EquatableArray<LayerModel> Layers,
    int Degree,
    int ParameterCount,
    int OutputSize)
{
    /// <summary>The dotted name without <c>global::</c>, used in hint names and the layer table.</summary>
    public string FullName
    {
        get
        {
            var prefix = Namespace is null ? "" : Namespace + ".";
            foreach (var containing in ContainingTypes)
                prefix += containing.Name + ".";
            return prefix + TypeName;
        }
    }
}

/// <summary>A type that encloses the network declaration (which must be partial too).</summary>
internal sealed record ContainingTypeModel(string Keyword, string Name);

/// <summary>One layer with its resolved shapes and parameter placement.</summary>
internal sealed record LayerModel(
    int Index,
    LayerKind Kind,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    EquatableArray<int> WeightShape,
    int ParameterOffset,
    int BiasLength,
    int DegreeExponent,
    int Kernel,
    int Stride,
    int Padding,
    float Slope)
{
    /// <summary>For activations, the degree k (built in, or inferred for a user activation); 0 otherwise.</summary>
    public int ActivationDegree { get; init; }

    /// <summary>For an Add layer, the index of the layer whose output it adds; −1 otherwise.</summary>
    public int Source { get; init; } = -1;

    /// <summary>For a user activation, its class's dotted name without <c>global::</c>; null otherwise.</summary>
    public string? ActivationType { get; init; }

    public int InputSize => Product(InputShape);

    public int OutputSize => Product(OutputShape);

    public int WeightLength => WeightShape.Length == 0 ? 0 : Product(WeightShape);

    public bool HasParameters => WeightShape.Length != 0;

    private static int Product(EquatableArray<int> shape)
    {
        var product = 1;
        foreach (var dimension in shape)
            product *= dimension;
        return product;
    }
}
