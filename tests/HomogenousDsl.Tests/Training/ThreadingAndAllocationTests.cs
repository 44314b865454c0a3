using HomogenousDsl.Data;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

[CollectionDefinition(nameof(AllocationSensitive), DisableParallelization = true)]
public sealed class AllocationSensitive;

/// <summary>Batch splitting over threads: reproducible per thread count, equal to one thread up to rounding, allocation-free.</summary>
[Collection(nameof(AllocationSensitive))]
public sealed class ThreadingAndAllocationTests
{
    private static readonly Dataset s_digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 100);

    [Fact]
    public void SplitBatchesAreBitIdenticalPerThreadCountAndCloseToOneThread()
    {
        var twoThreads = Train(threads: 2);
        Assert.Equal(twoThreads, Train(threads: 2));
        var oneThread = Train(threads: 1);
        for (var i = 0; i < oneThread.Length; i++)
            Assert.True(Math.Abs(oneThread[i] - twoThreads[i]) <= 1e-4f * (1 + Math.Abs(oneThread[i])), $"θ[{i}]: {oneThread[i]} vs {twoThreads[i]}");
    }

    /// <summary>
    /// On a split batch an elementwise rule is applied per range inside the reduction; a rule that is not elementwise
    /// runs afterwards on the whole vector. Both must give exactly the parameters of computing the gradient, then updating.
    /// </summary>
    [Fact]
    public void UpdateFusedIntoTheReductionEqualsGradientThenUpdate()
    {
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
    [InlineData(1)]
    [InlineData(2)]
    public void TrainingStepsAndMeasurementsAllocateNothing(int threads)
    {
        using var trainer = new Trainer<DigitsMlp>(s_digits, new TrainingOptions { BatchSize = 64, Threads = threads, UpdateRule = new ConstantStep(0.01) }, seed: 1);
        for (var i = 0; i < 20; i++)
            trainer.TrainStep();
        trainer.Measure();
        trainer.Measure();

        var before = AllocatedBytes(trainer);
        for (var i = 0; i < 50; i++)
            trainer.TrainStep();
        var afterSteps = AllocatedBytes(trainer);
        trainer.Measure();
        var afterMeasure = AllocatedBytes(trainer);

        Assert.Equal(0, afterSteps - before);
        Assert.Equal(0, afterMeasure - afterSteps);
    }

    // The calling thread's allocations plus the workers' (a process-wide count would include the test runner's).
    private static long AllocatedBytes(Trainer<DigitsMlp> trainer) => GC.GetAllocatedBytesForCurrentThread() + trainer.WorkerAllocatedBytes;

    private static float[] Train(int threads)
    {
        using var trainer = new Trainer<DigitsMlp>(s_digits, new TrainingOptions { BatchSize = 64, Threads = threads, Seed = 4, UpdateRule = new ConstantStep(0.01) }, seed: 3);
        for (var i = 0; i < 20; i++)
            trainer.TrainStep();
        return trainer.Parameters;
    }
}

/// <summary>Large enough (≈ 25 MFLOP per 64-sample forward) for the engine to split batches over threads.</summary>
[HomogeneousNetwork(Input = new[] { 1, 28, 28 })]
[Flatten]
[Dense(255)] [ReLU]
[Dense(1)]
public partial class DigitsMlp;
