using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HomogenousDsl.Generator.Tests;

public sealed class IncrementalityTests
{
    [Fact]
    public void EditThatChangesNoLayerKeepsOutputCached()
    {
        var (first, driver) = RunOnce(TestNetworks.TwoLayer);
        var edited = first.ReplaceSyntaxTree(first.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(TestNetworks.TwoLayer + "\n// a comment\npublic class Unrelated { public int X; }\n", GeneratorHarness.ParseOptions, path: "Network0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var steps = result.TrackedSteps[NetworkGenerator.TrackingNames.ValidNetworks];
        Assert.All(steps.SelectMany(static s => s.Outputs), static o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.All(result.TrackedOutputSteps.SelectMany(static s => s.Value).SelectMany(static s => s.Outputs),
            static o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void ChangingALayerRegeneratesTheNetwork()
    {
        var (first, driver) = RunOnce(TestNetworks.TwoLayer);
        var edited = first.ReplaceSyntaxTree(first.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(TestNetworks.TwoLayer.Replace("Dense(100", "Dense(120"), GeneratorHarness.ParseOptions, path: "Network0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps[NetworkGenerator.TrackingNames.ValidNetworks].SelectMany(static s => s.Outputs).ToList();
        Assert.Contains(outputs, static o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Dense 2 -> 120", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void EditingACustomActivationInAnotherFileRegeneratesTheNetwork()
    {
        const string network = """
            using HomogenousDsl;
            [HomogeneousNetwork(Input = new[] { 2 })]
            [Dense(4)] [Activation(typeof(Power))]
            [Dense(1)]
            public partial class UsesPower;
            """;
        const string linear = "[HomogenousDsl.HomogeneousActivation] public static class Power { public static float Value(float x) => x > 0 ? x : 0; public static float Derivative(float x) => x > 0 ? 1 : 0; }";
        var compilation = GeneratorHarness.Compile(network, linear);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Contains("Degree => 2;", driver.GetRunResult().GeneratedTrees.Single().ToString());

        // The activation lives in another tree: the network's model must still follow its inferred degree.
        var squared = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(linear.Replace("? x : 0;", "? x * x : 0;"), GeneratorHarness.ParseOptions, path: "Network1.cs"));
        var result = driver.RunGenerators(squared).GetRunResult();
        Assert.Contains("Degree => 3;", result.GeneratedTrees.Single().ToString());
    }

    private static (Compilation Compilation, GeneratorDriver Driver) RunOnce(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (compilation, driver);
    }
}
