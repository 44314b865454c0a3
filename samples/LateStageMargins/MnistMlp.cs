using HomogenousDsl;

namespace LateStageMargins;

/// <summary>A bias-free ReLU network on 28×28 digits: degree L = 3, so γ = min_i q_i / ‖θ‖³.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Flatten]
[Dense(64)] [ReLU]
[Dense(32)] [ReLU]
[Dense(1)]
public partial class MnistMlp;
