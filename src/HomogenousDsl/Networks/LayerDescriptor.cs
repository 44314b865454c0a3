namespace HomogenousDsl;

/// <summary>
/// One row of a network's static layer table: what the layer is, its shapes and where its parameters live in the
/// flat parameter vector (weight first, then bias, as in a PyTorch state dict).
/// </summary>
/// <param name="Index">Position among the network's layer attributes (and in an equivalent <c>nn.Sequential</c>).</param>
/// <param name="Kind">The layer kind.</param>
/// <param name="InputShape">Per-sample input shape.</param>
/// <param name="OutputShape">Per-sample output shape.</param>
/// <param name="WeightShape">PyTorch weight shape, empty for parameter-free layers.</param>
/// <param name="ParameterOffset">Offset of the weight in the flat parameter vector.</param>
/// <param name="BiasLength">Bias length (0 without bias); the bias follows the weight.</param>
/// <param name="DegreeExponent">
/// Degree of the network output in this layer's parameters alone (product of the activation degrees after it); the
/// exponents of all parameterized layers add up to the network degree L.
/// </param>
/// <param name="Kernel">Kernel or window size (convolution and pooling), else 0.</param>
/// <param name="Stride">Stride (convolution and pooling), else 0.</param>
/// <param name="Padding">Zero padding (convolution), else 0.</param>
/// <param name="Slope">Negative slope of a LeakyReLU, else 0.</param>
/// <param name="Source">For an Add layer, the index of the layer whose output it adds, else −1.</param>
/// <param name="Activation">For a user activation, the full name of its class, else null.</param>
public sealed record LayerDescriptor(
    int Index,
    LayerKind Kind,
    int[] InputShape,
    int[] OutputShape,
    int[] WeightShape,
    int ParameterOffset,
    int BiasLength,
    int DegreeExponent,
    int Kernel = 0,
    int Stride = 0,
    int Padding = 0,
    float Slope = 0f,
    int Source = -1,
    string? Activation = null)
{
    /// <summary>Number of weight entries.</summary>
    public int WeightLength
    {
        get
        {
            // A plain loop: margin measurements read this per layer, and they must not allocate.
            var length = WeightShape.Length == 0 ? 0 : 1;
            foreach (var dimension in WeightShape)
                length *= dimension;
            return length;
        }
    }

    /// <summary>Weights plus bias.</summary>
    public int ParameterLength => WeightLength + BiasLength;

    /// <summary>True for layers that own parameters (Dense, Conv2d).</summary>
    public bool HasParameters => WeightShape.Length != 0;

    /// <summary>Fan-in of one output unit, used by He initialization.</summary>
    public int FanIn => WeightShape.Length == 0 ? 0 : WeightLength / WeightShape[0];

    /// <summary>A short name such as <c>2.Conv2d</c>, matching the key prefix of an equivalent <c>nn.Sequential</c>.</summary>
    public string Name => $"{Index}.{Kind}";

    /// <summary>A one-line description for tables and error messages.</summary>
    public override string ToString()
    {
        var details = Kind switch
        {
            LayerKind.Conv2d => $" k={Kernel} s={Stride} p={Padding}",
            LayerKind.MaxPool2d or LayerKind.AvgPool2d => $" k={Kernel} s={Stride}",
            LayerKind.LeakyReLU => $" α={Slope.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            LayerKind.Add => $" from={Source}",
            LayerKind.CustomActivation => $" {Activation}",
            _ => "",
        };
        var parameters = HasParameters
            ? $" weight[{string.Join(",", WeightShape)}]{(BiasLength > 0 ? $" bias[{BiasLength}]" : "")} @ {ParameterOffset}"
            : "";
        return $"{Name}{details}: [{string.Join(",", InputShape)}] -> [{string.Join(",", OutputShape)}]{parameters}";
    }
}
