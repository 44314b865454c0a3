namespace HomogenousDsl.Generator.Tests;

/// <summary>
/// The generator cannot reference the runtime, so it keeps its own copy of the layer kinds; the numbers are written
/// into generated layer tables and checkpoints, so the copy must match the runtime's enum exactly.
/// </summary>
public sealed class LayerKindMirrorTests
{
    [Fact]
    public void GeneratorLayerKindsMatchTheRuntimeEnum()
    {
        var runtime = Enum.GetValues<LayerKind>().ToDictionary(static k => k.ToString(), static k => (int)k);
        var generator = Enum.GetValues<Rules.LayerKind>().ToDictionary(static k => k.ToString(), static k => (int)k);
        Assert.Equal(runtime.OrderBy(static p => p.Value), generator.OrderBy(static p => p.Value));
    }
}
