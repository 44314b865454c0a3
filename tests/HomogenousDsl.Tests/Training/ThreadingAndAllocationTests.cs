using HomogenousDsl.Data;
using HomogenousDsl.Kernels;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

[CollectionDefinition(nameof(AllocationSensitive), DisableParallelization = true)]
public sealed class AllocationSensitive;

/// <summary>
/// Splitting over threads, by batch or by feature: reproducible per thread count, equal to one thread up to rounding
/// (exactly, by feature), allocation-free.
/// </summary>
[Collection(nameof(AllocationSensitive))]
public sealed class ThreadingAndAllocationTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 100);

    [Theory]
    [InlineData(SplitMode.Batch)]
    [InlineData(SplitMode.Kernels)]
    public void SplitRunsAreBitIdenticalPerThreadCountAndCloseToOneThread(SplitMode mode)
    {
        using var _ = Use(mode);
        var twoThreads = Train<DigitsMlp>(threads: 2);
        Assert.Equal(twoThreads, Train<DigitsMlp>(threads: 2));
        var oneThread = Train<DigitsMlp>(threads: 1);
        AssertCloseToOneThread(oneThread, twoThreads, threads: 2);
    }

    /// <summary>
    /// Split by feature, every product element is computed with one thread's blocking, the forward store and the update
    /// are elementwise, so two threads reproduce one thread exactly: forward rows (odd 255 features) and weight-gradient
    /// rows cut between threads.
    /// </summary>
    [Fact]
    public void SplittingMatrixProductsGivesTheSingleThreadResultExactly()
    {
        using var _ = Use(SplitMode.Kernels);
        Assert.Equal(Train<DigitsMlp>(threads: 1), Train<DigitsMlp>(threads: 2));
    }

    /// <summary>
    /// Below two dense layers, the first hidden layer's adjoint is summed from one part per thread (each over the upper
    /// weight rows that thread owns): reproducible per thread count, and equal to one thread up to the order of that sum.
    /// </summary>
    [Fact]
    public void SplittingTheFirstLayerPairIsReproduciblePerThreadCountAndCloseToOneThread()
    {
        using var _ = Use(SplitMode.Kernels);
        var oneThread = Train<DigitsDeepMlp>(threads: 1);
        foreach (var threads in new[] { 2, 3 })
        {
            var split = Train<DigitsDeepMlp>(threads);
            Assert.Equal(split, Train<DigitsDeepMlp>(threads));
            // The pair needs the packed product; without it (no AVX2) the layers split as above and match exactly.
            if (PackedGemm.IsAvailable)
                Assert.NotEqual(oneThread, split);
            AssertCloseToOneThread(oneThread, split, threads);
        }
    }

    [Fact]
    public void SmallBlocksSplitInsideTheKernelsWhenEveryLayerCan()
    {
        Assert.True(ParallelPlan.KernelsSplit(DigitsMlp.Description));
        Assert.True(ParallelPlan.KernelsSplit(DigitsCnn.Description));
        Assert.True(ParallelPlan.SplitsKernels(true, 64, 2));
        Assert.False(ParallelPlan.SplitsKernels(true, 2 * ParallelPlan.MinimumSamplesPerShard, 2));
        // Average pooling has no split kernel: such a network keeps splitting by sample.
        Assert.False(ParallelPlan.KernelsSplit(DigitsAvgCnn.Description));
        Assert.False(ParallelPlan.SplitsKernels(false, 64, 2));
    }

    /// <summary>
    /// Convolutions and pooling split by sample, each thread's convolution weight gradient summed in thread order:
    /// reproducible per thread count, equal to one thread up to the order of that sum.
    /// </summary>
    [Fact]
    public void SplittingConvolutionKernelsIsReproducibleAndCloseToOneThread()
    {
        using var _ = Use(SplitMode.Kernels);
        var twoThreads = Train<DigitsCnn>(threads: 2);
        Assert.Equal(twoThreads, Train<DigitsCnn>(threads: 2));
        var oneThread = Train<DigitsCnn>(threads: 1);
        AssertCloseToOneThread(oneThread, twoThreads, threads: 2);
    }

    [Fact]
    public void EachThreadUpdatesTheWeightRowsItComputed()
    {
        var ranges = ParallelPlan.OwnedRanges(DigitsDeepMlp.Description, 2);
        // 784 → 200 (25 tiles of 8 rows): rows 0–95 and 96–199; 200 → 136 (17 tiles): rows 0–63 and 64–135; 136 → 1
        // is one tile, which falls to the last thread.
        Assert.Equal(new[] { (0, 96 * 784), (200 * 784, 64 * 200) }, ranges[0]);
        Assert.Equal(new[] { (96 * 784, 104 * 784), (200 * 784 + 64 * 200, 72 * 200), (200 * 784 + 136 * 200, 136) }, ranges[1]);
        var covered = ranges.SelectMany(static r => r).OrderBy(static r => r.Start).ToArray();
        Assert.Equal(DigitsDeepMlp.ParameterCount, covered.Sum(static r => r.Count));
        for (var i = 1; i < covered.Length; i++)
            Assert.Equal(covered[i - 1].Start + covered[i - 1].Count, covered[i].Start);
    }

    /// <summary>
    /// On a split batch an elementwise rule is applied per range inside the reduction; a rule that is not elementwise
    /// runs afterwards on the whole vector. Both must give exactly the parameters of computing the gradient, then updating.
    /// </summary>
    [Theory]
    [InlineData(SplitMode.Batch)]
    [InlineData(SplitMode.Kernels)]
    public void UpdateFusedIntoTheReductionEqualsGradientThenUpdate(SplitMode mode)
    {
        using var _ = Use(mode);
        using var engine = new GradientEngine<DigitsMlp>(s_digits, HomogenousDsl.Losses.LossKind.Logistic, 64, 64, threads: 2);
        var parameters = new float[DigitsMlp.ParameterCount];
        ParameterInitializer.HeNormal(DigitsMlp.Description, parameters, 5);
        var batch = Enumerable.Range(0, 64).Select(static i => i * 3).ToArray();
        foreach (IUpdateRule rule in new IUpdateRule[] { new ConstantStep(0.3), new WholeVectorStep(0.3) })
        {
            var separate = (float[])parameters.Clone();
            var direction = new float[parameters.Length];
            var logTotal = engine.Evaluate(separate, batch);
            engine.NormalizedGradient(separate, batch, logTotal, direction);
            Assert.True(rule.Apply(separate, direction, logTotal - 1));

            var fused = (float[])parameters.Clone();
            var fusedDirection = new float[parameters.Length];
            logTotal = engine.Evaluate(fused, batch);
            Assert.True(engine.NormalizedGradientAndUpdate(fused, batch, logTotal, fusedDirection, rule, logTotal - 1));
            Assert.Equal(direction, fusedDirection);
            Assert.Equal(separate, fused);
            Assert.NotEqual(parameters, fused);
        }

        // A range that turns non-finite is reported whichever thread updated it.
        var blowUp = (float[])parameters.Clone();
        var total = engine.Evaluate(blowUp, batch);
        Assert.False(engine.NormalizedGradientAndUpdate(blowUp, batch, total, new float[parameters.Length], new ConstantStep(1e300), total));
    }

    /// <summary>The same arithmetic as <see cref="ConstantStep"/>, without the elementwise promise.</summary>
    private sealed class WholeVectorStep(double stepSize) : IUpdateRule
    {
        private readonly ConstantStep _inner = new(stepSize);
        public string Name => "whole-vector";
        public double StepSize => _inner.StepSize;
        public bool Apply(Span<float> parameters, ReadOnlySpan<float> direction, double logScale) => _inner.Apply(parameters, direction, logScale);
    }

    [Theory]
    [InlineData(1, SplitMode.Batch)]
    [InlineData(2, SplitMode.Batch)]
    [InlineData(2, SplitMode.Kernels)]
    public void TrainingStepsAndMeasurementsAllocateNothing(int threads, SplitMode mode)
    {
        AssertStepsAllocateNothing<DigitsMlp>(threads, mode);
        AssertStepsAllocateNothing<DigitsCnn>(threads, mode);
    }

    private static void AssertStepsAllocateNothing<TNetwork>(int threads, SplitMode mode) where TNetwork : IHomogeneousNetwork<TNetwork>
    {
        using var _ = Use(mode);
        using var trainer = new Trainer<TNetwork>(s_digits, new TrainingOptions { BatchSize = 64, Threads = threads, UpdateRule = new ConstantStep(0.01) }, seed: 1);
        for (var i = 0; i < 20; i++)
            trainer.TrainStep();
        trainer.Measure();
        trainer.Measure();

        // A one-time lazy allocation (the runtime's, e.g. a lock object built on a thread's first blocking wait, which a
        // busy machine can delay into the measured steps) may land in one window; a cost per step shows in every window.
        long steps = 0, measure = 0;
        for (var window = 0; window < 3; window++)
        {
            var before = AllocatedBytes(trainer);
            for (var i = 0; i < 50; i++)
                trainer.TrainStep();
            var afterSteps = AllocatedBytes(trainer);
            trainer.Measure();
            var afterMeasure = AllocatedBytes(trainer);
            (steps, measure) = (afterSteps - before, afterMeasure - afterSteps);
            if (steps == 0 && measure == 0)
                break;
        }
        Assert.Equal(0, steps);
        Assert.Equal(0, measure);
    }

    // The calling thread's allocations plus the workers' (a process-wide count would include the test runner's).
    private static long AllocatedBytes<TNetwork>(Trainer<TNetwork> trainer) where TNetwork : IHomogeneousNetwork<TNetwork> => GC.GetAllocatedBytesForCurrentThread() + trainer.WorkerAllocatedBytes;

    // Parameters of a split run against one thread's: equal up to the rounding of the sums the threads share.
    private static void AssertCloseToOneThread(float[] oneThread, float[] split, int threads)
    {
        for (var i = 0; i < oneThread.Length; i++)
            Assert.True(Math.Abs(oneThread[i] - split[i]) <= 1e-4f * (1 + Math.Abs(oneThread[i])), $"{threads} threads, θ[{i}]: {oneThread[i]} vs {split[i]}");
    }

    private static float[] Train<TNetwork>(int threads) where TNetwork : IHomogeneousNetwork<TNetwork>
    {
        using var trainer = new Trainer<TNetwork>(s_digits, new TrainingOptions { BatchSize = 64, Threads = threads, Seed = 4, UpdateRule = new ConstantStep(0.01) }, seed: 3);
        for (var i = 0; i < 20; i++)
            trainer.TrainStep();
        return trainer.Parameters;
    }

    public enum SplitMode { Batch, Kernels }

    private static SplitPlan Use(SplitMode mode) => mode == SplitMode.Batch ? SplitPlan.BySample() : SplitPlan.InKernels();
}

/// <summary>Large enough (≈ 25 MFLOP per 64-sample forward) for the engine to split batches over threads.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Flatten]
[Dense(255)] [ReLU]
[Dense(1)]
public partial class DigitsMlp;

/// <summary>Two hidden layers of sizes that are not multiples of the register tiles, so a hidden input adjoint is split too.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Flatten]
[Dense(200)] [ReLU]
[Dense(136)] [ReLU]
[Dense(1)]
public partial class DigitsDeepMlp;

/// <summary>A small convolutional network, large enough per sample for its convolutions and pooling to split.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Conv2d(8, Kernel = 5, Padding = 2)] [ReLU] [MaxPool2d(2)]
[Conv2d(12, Kernel = 3, Padding = 1)] [ReLU] [MaxPool2d(2)]
[Flatten]
[Dense(1)]
public partial class DigitsCnn;

/// <summary>Average pooling, which has no split kernel.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Conv2d(4, Kernel = 3, Padding = 1)] [ReLU] [AvgPool2d(2)]
[Flatten]
[Dense(1)]
public partial class DigitsAvgCnn;
