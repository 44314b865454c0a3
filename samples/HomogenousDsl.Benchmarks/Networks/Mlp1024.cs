using HomogenousDsl;

namespace HomogenousDsl.Benchmarks.Networks;

/// <summary>W3: the peer's <c>mlp([784, 1024, 1024, 1])</c>, flat input as in <see cref="Mlp256"/>.</summary>
[HomogeneousNetwork(Input = new[] { 784 })]
[Dense(1024)] [ReLU]
[Dense(1024)] [ReLU]
[Dense(1)]
public partial class Mlp1024;
