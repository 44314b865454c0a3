namespace HomogenousDsl;

/// <summary>
/// A residual connection: adds the output of an earlier layer (its attribute index, counting from 0) to the current
/// activation. Shapes must match, and both branches must have the same homogeneity degree (HD0005 otherwise), which in
/// a sequence means only degree-1 activations lie between the two points.
/// </summary>
/// <example>
/// <code>
/// [HomogeneousNetwork(Input = new[] { 8 })]
/// [Dense(16)] [ReLU] [Add(From = 0)]   // W₁x + ReLU(W₁x): degree 1 on both branches
/// [Dense(1)]
/// public partial class Residual;
/// </code>
/// </example>
public sealed class AddAttribute : LayerAttribute
{
    /// <summary>Index of the layer whose output is added; it must come before this layer.</summary>
    public int From { get; set; } = -1;
}
