using HomogenousDsl;

namespace HomogenousDsl.Benchmarks.Networks;

/// <summary>W4: the peer's <c>cnn()</c>, the bias-free Madry / Lyu &amp; Li MNIST CNN with 5×5 "same" convolutions.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Conv2d(32, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2d(2)]
[Conv2d(64, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2d(2)]
[Flatten]
[Dense(1024)] [ReLU]
[Dense(1)]
public partial class MadryCnn;
