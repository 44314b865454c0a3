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
