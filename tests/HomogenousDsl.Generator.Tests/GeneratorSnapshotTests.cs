using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Generator.Tests;

public sealed class GeneratorSnapshotTests
{
    [Fact]
    public void TwoLayer() => VerifySingle(TestNetworks.TwoLayer, "Samples.TwoLayer.Cpu.g.cs");

    [Fact]
    public void LyuLiCnn() => VerifySingle(TestNetworks.LyuLiCnn, "Samples.LyuLiCnn.Cpu.g.cs");

    [Fact]
    public void NestedMulticlass() => VerifySingle(TestNetworks.NestedMulticlass, "Samples.Deep.Holder.Multiclass.Cpu.g.cs");

    [Fact]
    public void CustomResidual() => VerifySingle(TestNetworks.CustomResidual, "Samples.CustomResidual.Cpu.g.cs");

    [Fact]
    public void DeepMlp() => VerifySingle(TestNetworks.DeepMlp, "Samples.DeepMlp.Cpu.g.cs");

    [Fact]
    public void GeneratedCodeCompilesWithoutErrorsOrWarnings()
    {
        var (sources, output, generatorDiagnostics) = GeneratorHarness.Run(TestNetworks.TwoLayer, TestNetworks.LyuLiCnn, TestNetworks.NestedMulticlass,
            TestNetworks.CustomResidual, TestNetworks.DeepMlp);
        Assert.Equal(5, sources.Length);
        Assert.Empty(generatorDiagnostics);
        var problems = output.GetDiagnostics().Where(static d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static void VerifySingle(string source, string hintName, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var (sources, _, _) = GeneratorHarness.Run(source);
        var generated = Assert.Single(sources);
        Assert.Equal(hintName, generated.HintName);
        Snapshot.Verify(generated.SourceText.ToString(), "Cpu", test: test);
    }
}
