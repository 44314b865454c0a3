namespace HomogenousDsl;

/// <summary>
/// Marks a partial class or struct as a positively homogeneous network. The layer attributes that follow, in source
/// order, define the architecture; the source generator emits its fused forward and subgradient code.
/// </summary>
/// <example>
/// <code>
/// [HomogeneousNetwork(Input = new[] { 2 })]
/// [Dense(100)] [LeakyReLU(0.1f)]
/// [Dense(1)]
/// public partial class TwoLayer;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class HomogeneousNetworkAttribute : Attribute
{
    /// <summary>Shape of one input sample: <c>{ features }</c> or <c>{ channels, height, width }</c> (NCHW without N).</summary>
    public int[] Input { get; set; } = [];
}
