namespace HomogenousDsl.Generator.Tests;

/// <summary>The generator stays silent on invalid networks: no code, no diagnostics, no exception.</summary>
public sealed class InvalidNetworkTests
{
    [Theory]
    [InlineData("[HomogeneousNetwork(Input = new[] { 2 })] public partial class Empty;")]
    [InlineData("[HomogeneousNetwork] [Dense(1)] public partial class NoInput;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 2, 3 })] [Dense(1)] public partial class RankTwo;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 2 })] [Dense(1)] public class NotPartial;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 1, 8, 8 })] [Conv2d(2)] [Dense(1)] public partial class NoFlatten;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 1, 4, 4 })] [Conv2d(2, Kernel = 5)] [Flatten] [Dense(1)] public partial class KernelTooLarge;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 1, 5, 5 })] [MaxPool2d(2)] [Flatten] [Dense(1)] public partial class PoolDoesNotDivide;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(3)] [ReLU] [Dense(1, Bias = true)] public partial class LateBias;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Conv2d(3)] public partial class ConvOnVector;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 1, 4, 4 })] [Conv2d(3)] public partial class EndsWithImage;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(0)] public partial class ZeroWidth;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense] public partial class MissingArgument;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(1)] public partial class Generic<T>;")]
    [InlineData("public class Outer { [HomogeneousNetwork(Input = new[] { 4 })] [Dense(1)] public partial class Inner; }")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(3)] [Sigmoid] [Dense(1)] public partial class WithSigmoid;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(3)] [BatchNorm] [ReLU] [Dense(1)] public partial class WithBatchNorm;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(4)] [ReLU] [Dense(4)] [Add(From = 0)] [Dense(1)] public partial class UnequalBranches;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(4)] [Add(From = 3)] [Dense(1)] public partial class ForwardAdd;")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(4)] [Activation(typeof(Shifted))] [Dense(1)] public partial class BadActivation; [HomogeneousActivation] public static class Shifted { public static float Value(float x) => x + 1; public static float Derivative(float x) => 1; }")]
    [InlineData("[HomogeneousNetwork(Input = new[] { 4 })] [Dense(4)] [Activation(typeof(Unmarked))] [Dense(1)] public partial class UnmarkedActivation; public static class Unmarked { public static float Value(float x) => x; public static float Derivative(float x) => 1; }")]
    public void ProducesNothing(string declaration)
    {
        var (sources, _, diagnostics) = GeneratorHarness.Run("using HomogenousDsl;\n" + declaration);
        Assert.Empty(sources);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void LayersSplitAcrossPartialDeclarationsProduceNothing()
    {
        var (sources, _, _) = GeneratorHarness.Run("""
            using HomogenousDsl;
            [HomogeneousNetwork(Input = new[] { 4 })] [Dense(3)] public partial class Split;
            [ReLU] [Dense(1)] public partial class Split;
            """);
        Assert.Empty(sources);
    }
}
