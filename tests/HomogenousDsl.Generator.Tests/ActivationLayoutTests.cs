namespace HomogenousDsl.Generator.Tests;

/// <summary>Which activations the generated code keeps feature-major: only dense-to-dense ones, never into a residual.</summary>
public sealed class ActivationLayoutTests
{
    private const string BatchMajor = "global::HomogenousDsl.Kernels.ActivationLayout.BatchMajor";
    private const string FeatureMajor = "global::HomogenousDsl.Kernels.ActivationLayout.FeatureMajor";

    [Fact]
    public void HiddenActivationsOfAnMlpAreFeatureMajor()
    {
        var code = Generate("""
            [HomogeneousNetwork(Input = new[] { 784 })]
            [Dense(256)] [ReLU]
            [Dense(256)] [LeakyReLU(0.5f)]
            [Dense(1)]
            public partial class Mlp;
            """);
        Assert.Contains($"input, h1, batch, 784, 256, global::HomogenousDsl.Kernels.ActivationEpilogue.Relu, 0f, {BatchMajor}, {FeatureMajor});", code);
        Assert.Contains($"h1, h3, batch, 256, 256, global::HomogenousDsl.Kernels.ActivationEpilogue.LeakyRelu, 0.5f, {FeatureMajor}, {FeatureMajor});", code);
        Assert.Contains($"h3, h4, batch, 256, 1, global::HomogenousDsl.Kernels.ActivationEpilogue.None, 0f, {FeatureMajor}, {BatchMajor});", code);
        // The three dense layers go back in one call: the one-output layer with the derivative of the activation below it,
        // the middle layer with the first, the first layer's input layout, then the middle layer's folded derivative.
        Assert.Contains("DenseKernel.BackwardFromOneOutput(parameters.Slice(266240, 256), h3, adjoint, gradient.Slice(266240, 256), adjointA.Slice(0, batch * 256), " +
                        "global::HomogenousDsl.Kernels.ActivationEpilogue.LeakyRelu, 0.5f, " +
                        "parameters.Slice(200704, 65536), h1, gradient.Slice(200704, 65536), adjointB.Slice(0, batch * 256), " +
                        "parameters.Slice(0, 200704), input, gradient.Slice(0, 200704), batch, 784, 256, 256, write, " +
                        $"{BatchMajor}, global::HomogenousDsl.Kernels.ActivationEpilogue.Relu, 0f);", code);
        Assert.DoesNotContain("ActivationKernel.", code);
        Assert.DoesNotContain("DenseKernel.Backward(", code);
        Assert.DoesNotContain("DenseKernel.BackwardWithFirstLayer(", code);
    }

    [Fact]
    public void AOneOutputLayerAboveTheFirstPairGoesBackInItsCallOnlyThere()
    {
        // Three hidden layers: the middle one pairs with the first; the one-output layer keeps its own call, and the one
        // below it too, carrying the derivative back (feature-major, the only layout between dense layers).
        var code = Generate("""
            [HomogeneousNetwork(Input = new[] { 30 })]
            [Dense(40)] [ReLU]
            [Dense(24)] [ReLU]
            [Dense(20)] [ReLU]
            [Dense(1)]
            public partial class Deep;
            """);
        Assert.DoesNotContain("BackwardFromOneOutput", code);
        Assert.Contains($"DenseKernel.Backward(parameters.Slice(2640, 20), h5, adjoint, gradient.Slice(2640, 20), global::System.Span<float>.Empty, adjointA.Slice(0, batch * 20), batch, 20, 1, write, {FeatureMajor}, {BatchMajor}, " +
                        "global::HomogenousDsl.Kernels.ActivationEpilogue.Relu, 0f);", code);
        Assert.Contains("DenseKernel.BackwardWithFirstLayer(parameters.Slice(1200, 960), h1, adjoint,", code);
        // Directly above the first layer, the one-output layer has no pair below it to join.
        var shallow = Generate("""
            [HomogeneousNetwork(Input = new[] { 30 })]
            [Dense(40)] [ReLU]
            [Dense(1)]
            public partial class Shallow;
            """);
        Assert.DoesNotContain("BackwardFromOneOutput", shallow);
        Assert.Contains("DenseKernel.Backward(parameters.Slice(1200, 40), h1, adjoint, gradient.Slice(1200, 40),", shallow);
    }

    [Theory]
    // Several outputs per sample: the last layer would have to turn its input around.
    [InlineData("[Dense(64)] [ReLU] [Dense(10)]")]
    // A two-input first layer keeps its own (tiny fan-in) kernel's layout.
    [InlineData("[Dense(64)] [ReLU] [Dense(1)]", 2)]
    // A residual addition between the dense layers.
    [InlineData("[Dense(16)] [Abs] [Add(From = 0)] [Dense(1)]")]
    public void OtherActivationsStayBatchMajor(string layers, int inputs = 20)
    {
        var code = Generate($$"""
            [HomogeneousNetwork(Input = new[] { {{inputs}} })]
            {{layers}}
            public partial class Net;
            """);
        Assert.DoesNotContain("ActivationLayout", code);
    }

    /// <summary>
    /// Only an activation fused into the layer before it (so its output alone is stored) folds into the next dense layer's
    /// input adjoint: one whose sign says nothing of its input keeps its own backward step.
    /// </summary>
    [Theory]
    [InlineData("[Dense(16)] [Abs] [Dense(1)]", "ActivationKernel.AbsBackward(h0, adjoint")]
    [InlineData("[Dense(16)] [LeakyReLU(-0.5f)] [Dense(1)]", "ActivationKernel.LeakyReluBackward(h0, adjoint")]
    [InlineData("[ReLU] [Dense(16)] [Abs] [Dense(1)]", "ActivationKernel.AbsBackward(h1, adjoint")]
    public void UnfusedActivationsKeepTheirBackwardStep(string layers, string step)
    {
        var code = Generate($$"""
            [HomogeneousNetwork(Input = new[] { 20 })]
            {{layers}}
            public partial class Net;
            """);
        Assert.Contains(step, code);
        Assert.DoesNotContain("folded into its input adjoint", code);
    }

    /// <summary>The generator cannot reference the runtime; its copy of the tiny-fan-in threshold must match the kernel's.</summary>
    [Fact]
    public void FanInThresholdIsTheTinyFanInKernels()
        => Assert.Equal(HomogenousDsl.Kernels.SmallFanInDense.MaxFanIn, Emitting.WorkspacePlan.MinimumFeatureMajorFanIn);

    private static string Generate(string network)
    {
        var (sources, output, diagnostics) = GeneratorHarness.Run("using HomogenousDsl;\n\nnamespace Samples;\n\n" + network);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(static d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        return Assert.Single(sources).SourceText.ToString();
    }
}
