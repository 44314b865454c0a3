using HomogenousDsl;

namespace HomogenousDsl.Benchmarks.Networks;

/// <summary>
/// W2 and W5: the peer's <c>mlp([784, 256, 256, 1])</c>. Input is declared flat ({784}) because the peer feeds the
/// flattened images; the 1×28×28 data has the same 784 features per sample in the same order.
/// </summary>
[HomogeneousNetwork(Input = new[] { 784 })]
[Dense(256)] [ReLU]
[Dense(256)] [ReLU]
[Dense(1)]
public partial class Mlp256;
