using Verify = HomogenousDsl.Analyzers.Tests.AnalyzerVerifier;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>HD0001–HD0005 on networks, each at the exact attribute or argument.</summary>
public sealed class HomogeneityDiagnosticTests
{
    [Fact]
    public Task BiasAfterTheFirstParameterizedLayerIsReportedAtTheArgument() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3, Bias = true)] [ReLU]
        [Dense(1, {|HD0001:Bias = true|})]
        public partial class LateBias;
        """);

    [Fact]
    public Task FirstLayerBiasKeepsHomogeneity() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 1, 6, 6 })]
        [Conv2d(2, Bias = true)] [ReLU]
        [Flatten] [Dense(1)]
        public partial class FirstLayerBias;
        """);

    [Theory]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("GELU")]
    [InlineData("Softplus")]
    [InlineData("ELU")]
    [InlineData("SiLU")]
    public Task NonHomogeneousActivationsAreRejected(string activation) => Verify.VerifyAsync($$"""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [{|HD0002:{{activation}}|}]
        [Dense(1)]
        public partial class Net;
        """);

    [Theory]
    [InlineData("BatchNorm")]
    [InlineData("LayerNorm")]
    [InlineData("Dropout(0.5f)")]
    public Task NormalizationLayersAreRejected(string layer) => Verify.VerifyAsync($$"""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [{|HD0003:{{layer}}|}] [ReLU]
        [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task EveryForbiddenLayerIsReportedNotJustTheFirst() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [{|HD0003:BatchNorm|}] [{|HD0002:Tanh|}]
        [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task CustomActivationWithAConstantTermIsReportedAtTheNetworkAndInValue() => Verify.VerifyAsync("""
        using HomogenousDsl;

        [HomogeneousActivation]
        public static class Shifted
        {
            public static float Value(float x) => {|HD0004:x + 1f|};
            public static float Derivative(float x) => 1f;
        }

        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(3)] [{|HD0004:Activation(typeof(Shifted))|}]
        [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task BranchesOfUnequalDegreeAreRejected() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(4)] [ReLU] [Dense(4)] [{|HD0005:Add(From = 0)|}]
        [Dense(1)]
        public partial class Net;
        """);

    [Fact]
    public Task BranchesOfEqualDegreeAreAccepted() => Verify.VerifyAsync("""
        using HomogenousDsl;
        [HomogeneousNetwork(Input = new[] { 4 })]
        [Dense(4)] [ReLU] [Add(From = 0)]
        [Dense(1)]
        public partial class Net;
        """);
}
