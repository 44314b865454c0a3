using HomogenousDsl.Benchmarks.Timing;
using HomogenousDsl.Kernels;

namespace HomogenousDsl.Benchmarks.Tests;

public sealed class LayerProductsTests
{
    private static readonly WindowOptions Brief = new(WarmupSeconds: 0.01, Windows: 3, WindowSeconds: 0.01);

    /// <summary>
    /// Every product of a layer large enough for the packed path and the split is timed, on one thread and with a pool
    /// lent; the input adjoint comes last, derived from the two backward calls. The allocation figure is the process's,
    /// which in a test host includes the runner's own threads (a loaded run saw 59 bytes a call), so only its presence
    /// is checked here; that the kernels allocate nothing is asserted per thread in ThreadingAndAllocationTests.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TimesEachProduct(int threads)
    {
        var shape = new DenseLayerShape(64, 200, 136, ActivationLayout.BatchMajor, ActivationLayout.FeatureMajor);
        var results = LayerProducts.Measure(shape, threads, Brief);

        Assert.Equal(["forward", "weight-gradient", "backward", "input-adjoint"], results.Select(r => r.Product));
        Assert.All(results, r =>
        {
            Assert.Equal((threads, 64, 200, 136, "batch", "feature"), (r.Threads, r.Batch, r.InFeatures, r.OutFeatures, r.InputLayout, r.OutputLayout));
        });
        Assert.All(results.Take(3), r =>
        {
            Assert.True(double.IsFinite(r.Gflops) && r.Gflops > 0, $"{r.Product}: {r.Gflops} GFLOP/s");
            Assert.True(r.AllocatedBytesPerCall >= 0, $"{r.Product}: {r.AllocatedBytesPerCall} bytes a call");
        });
        Assert.Null(results[3].AllocatedBytesPerCall);
    }

    [Fact]
    public void RefusesAnEmptyLayer()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            LayerProducts.Measure(new DenseLayerShape(0, 10, 10, ActivationLayout.BatchMajor, ActivationLayout.BatchMajor), 1, Brief));
        Assert.Contains("0 × 10 → 10", error.Message);
    }

    [Fact]
    public void RefusesNoThreads() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LayerProducts.Measure(new DenseLayerShape(4, 10, 10, ActivationLayout.BatchMajor, ActivationLayout.BatchMajor), 0, Brief));
}
