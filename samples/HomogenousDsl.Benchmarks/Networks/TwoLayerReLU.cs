using HomogenousDsl;

namespace HomogenousDsl.Benchmarks.Networks;

/// <summary>W1: the late-stage regime of millions of tiny steps, 2-100-1 with ReLU as the peer's <c>mlp([2, 100, 1])</c>.</summary>
[HomogeneousNetwork(Input = new[] { 2 })]
[Dense(100)] [ReLU]
[Dense(1)]
public partial class TwoLayerReLU;
