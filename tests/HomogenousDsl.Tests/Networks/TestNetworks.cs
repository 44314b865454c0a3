using HomogenousDsl;

namespace HomogenousDsl.Tests.Networks;

// Every layer kind and activation appears in at least one network, with odd sizes (not multiples of the vector width).

[HomogeneousNetwork(Input = new[] { 5 })]
[Dense(7, Bias = true)] [ReLU]
[Dense(1)]
public partial class DenseRelu;

[HomogeneousNetwork(Input = new[] { 4 })]
[Dense(19)] [LeakyReLU(0.2f)]
[Dense(1)]
public partial class DenseLeaky;

[HomogeneousNetwork(Input = new[] { 3 })]
[Dense(5)] [Abs] [Identity]
[Dense(17)] [ReLU]
[Dense(1)]
public partial class DenseAbsIdentity;

[HomogeneousNetwork(Input = new[] { 3 })]
[Dense(4)] [SquaredReLU]
[Dense(3)]
public partial class DenseSquared;

[HomogeneousNetwork(Input = new[] { 2, 6, 6 })]
[Conv2d(3, Kernel = 3, Padding = 1, Bias = true)] [ReLU] [MaxPool2d(2)]
[Flatten]
[Dense(1)]
public partial class ConvMax;

[HomogeneousNetwork(Input = new[] { 1, 7, 7 })]
[Conv2d(2, Kernel = 3, Stride = 2)] [LeakyReLU(0.1f)] [AvgPool2d(3, Stride = 1)]
[Flatten]
[Dense(4)] [ReLU]
[Dense(3)]
public partial class ConvAvgStride;

[HomogeneousNetwork(Input = new[] { 2, 5, 5 })]
[Conv2d(3, Kernel = 2)] [SquaredReLU] [MaxPool2d(2, Stride = 1)]
[Conv2d(2, Kernel = 2, Padding = 1)] [Abs]
[Flatten]
[Dense(1)]
public partial class DeepConv;

// Probes for the subgradient conventions at exact kinks: input (1, −1) against weights (1, 1) gives pre-activation 0.

[HomogeneousNetwork(Input = new[] { 2 })]
[Dense(1)] [ReLU]
[Dense(1)]
public partial class ReluProbe;

[HomogeneousNetwork(Input = new[] { 2 })]
[Dense(1)] [LeakyReLU(0.25f)]
[Dense(1)]
public partial class LeakyProbe;

[HomogeneousNetwork(Input = new[] { 2 })]
[Dense(1)] [Abs]
[Dense(1)]
public partial class AbsProbe;

[HomogeneousNetwork(Input = new[] { 1, 2, 2 })]
[Conv2d(1, Kernel = 1)] [MaxPool2d(2)]
[Flatten]
[Dense(1)]
public partial class MaxPoolProbe;

// Fused schedules (the activation applied as the layer stores, its derivative read from its output or folded into the
// max-pool backward), wide enough that the packed products and their epilogues run at the batch sizes of FusionTests.

[HomogeneousNetwork(Input = new[] { 37 })]
[Dense(67)] [LeakyReLU(0.3f)]
[Dense(1)]
public partial class DenseLeakyWide;

[HomogeneousNetwork(Input = new[] { 1, 6, 6 })]
[Conv2d(7, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2d(2)]
[Flatten]
[Dense(1)]
public partial class ConvReluPoolWide;

[HomogeneousNetwork(Input = new[] { 16 })]
[Dense(32)] [ReLU]
[Dense(1)]
public partial class WideReluProbe;

[HomogeneousNetwork(Input = new[] { 16 })]
[Dense(32)] [LeakyReLU(0.25f)]
[Dense(1)]
public partial class WideLeakyProbe;

// User activations ([HomogeneousActivation]) and residual connections ([Add]).

[HomogeneousNetwork(Input = new[] { 5 })]
[Dense(9, Bias = true)] [Activation(typeof(Leaky02))]
[Dense(6)] [Activation(typeof(AsymmetricSquare))]
[Dense(2)]
public partial class DenseCustom;

// W₁x + Leaky(W₁x), then x + x right after its source (the branch point is the Add's own input), degree 2 overall.
[HomogeneousNetwork(Input = new[] { 4 })]
[Dense(6)] [Activation(typeof(Leaky02))] [Add(From = 0)] [Identity] [Add(From = 3)]
[Dense(1)]
public partial class DenseResidual;

[HomogeneousNetwork(Input = new[] { 2, 6, 6 })]
[Conv2d(3, Kernel = 3, Padding = 1)] [ReLU] [Add(From = 0)] [MaxPool2d(2)]
[Flatten]
[Dense(3)]
public partial class ConvResidual;

// Ends with an Add: the adjoint the caller passes in is read-only, so the branch must copy it before merging.
[HomogeneousNetwork(Input = new[] { 3 })]
[Dense(5)] [ReLU] [Dense(2)] [Abs] [Add(From = 2)]
public partial class ResidualOutput;
