namespace HomogenousDsl;

/// <summary>A fully connected layer <c>y = W x</c> with weight shape <c>[out, in]</c> (PyTorch's <c>nn.Linear</c> layout).</summary>
/// <param name="outFeatures">Number of output features.</param>
public sealed class DenseAttribute(int outFeatures) : LayerAttribute
{
    /// <summary>Number of output features.</summary>
    public int OutFeatures { get; } = outFeatures;

    /// <summary>
    /// Adds a bias. Homogeneity survives only on the first parameterized layer, where the bias scales with the
    /// weights like a weight on a constant input feature.
    /// </summary>
    public bool Bias { get; set; }
}
