using HomogenousDsl.Data;
using HomogenousDsl.Losses;
using HomogenousDsl.Margins;
using HomogenousDsl.Tests.Networks;
using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void SameSeedGivesBitIdenticalRuns()
    {
        var data = SyntheticData.SeparableTwoD(200, seed: 3);
        float[] Run() => RunTwoD(data, seed: 9, steps: 300);
        Assert.Equal(Run(), Run());
        Assert.NotEqual(Run(), RunTwoD(data, seed: 10, steps: 300));
    }

    [Fact]
    public void SgdSeparatesTheDataAndTheNormalizedMarginRisesAfterwards()
    {
        var data = SyntheticData.SeparableTwoD(200, seed: 4);
        var reports = new List<MarginReport>();
        using var trainer = new Trainer<TwoD>(data, new TrainingOptions { BatchSize = 16, Steps = 20_000, RecordEvery = 1_000, UpdateRule = new ConstantStep(0.5) }, seed: 2);
        var summary = trainer.Run(reports.Add);

        Assert.NotNull(summary.SeparationStep);
        Assert.Equal(1.0, summary.Last.Accuracy);
        var atSeparation = reports.First(static r => r.Separated);
        Assert.True(summary.Last.NormalizedMargin > atSeparation.NormalizedMargin, $"γ at separation {atSeparation.NormalizedMargin}, at the end {summary.Last.NormalizedMargin}");
        Assert.True(summary.Last.Log10Loss < summary.First.Log10Loss);
        Assert.True(summary.Last.ParameterNorm > summary.First.ParameterNorm);
    }

    [Fact]
    public void SeparationStepIsFoundBetweenMeasurementsAndIsSeparated()
    {
        var data = SyntheticData.SeparableTwoD(200, seed: 4);
        var options = new TrainingOptions { BatchSize = 16, Steps = 3_000, RecordEvery = 1_000, UpdateRule = new ConstantStep(0.5), Threads = 1 };
        using var trainer = new Trainer<TwoD>(data, options, seed: 2);
        var separation = trainer.Run().SeparationStep;
        Assert.NotNull(separation);
        Assert.True(separation % 1_000 != 0, $"found only at a measurement ({separation}); the per-step watch should find it earlier");

        // Replaying the same run to that step gives parameters that separate the data.
        using var replay = new Trainer<TwoD>(data, options, seed: 2);
        while (replay.Step < separation)
            replay.TrainStep();
        Assert.True(replay.Measure().Separated);
    }

    [Fact]
    public void FullBatchGradientDescentMatchesTheMeanGradientStep()
    {
        var data = SyntheticData.SeparableTwoD(40, seed: 5);
        using var trainer = new Trainer<TwoD>(data, new TrainingOptions { BatchSize = 0, Loss = LossKind.Logistic, UpdateRule = new ConstantStep(0.3) }, seed: 1);
        var before = (float[])trainer.Parameters.Clone();
        trainer.TrainStep();

        // Reference: θ − η · (1/n) Σ ℓ'(q_i) y_i ∇f(x_i), straight from the network's subgradient.
        var network = new NetworkCase<TwoD>();
        var outputs = network.Outputs(before, data.Features, data.Count);
        var adjoints = outputs.Select((f, i) => (float)(-data.Targets[i] / (1 + Math.Exp(data.Targets[i] * (double)f)) / data.Count)).ToArray();
        var (_, gradient) = network.Subgradient(before, data.Features, adjoints, data.Count);
        for (var j = 0; j < before.Length; j++)
            Assert.Equal(before[j] - 0.3 * gradient[j], trainer.Parameters[j], 5);
    }

    [Fact]
    public void NonFiniteUpdateStopsTheRunAndRestoresTheLastMeasuredParameters()
    {
        var data = SyntheticData.SeparableTwoD(40, seed: 6);
        using var trainer = new Trainer<TwoD>(data, new TrainingOptions { BatchSize = 8, UpdateRule = new ConstantStep(1e38) }, seed: 1);
        var initial = (float[])trainer.Parameters.Clone();
        var error = Record.Exception(() => { for (var i = 0; i < 10; i++) trainer.TrainStep(); });
        var failure = Assert.IsType<NonFiniteValueException>(error);
        // A 1e38 step overflows either the update itself or, a step later, the forward pass and so the gradient.
        Assert.Contains(failure.Tensor, new[] { "parameters", "gradient" });
        Assert.Contains($"Step {failure.Step}: the {failure.Tensor} went non-finite", failure.Message);
        Assert.Equal(0, failure.RestoredStep);
        Assert.Equal(0, trainer.Step);
        Assert.Equal(initial, trainer.Parameters);
    }

    [Fact]
    public void MismatchedDataIsRefusedWithTheShapes()
    {
        var data = SyntheticData.SeparableTwoD(10, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => new Trainer<DenseRelu>(data, new TrainingOptions(), seed: 1));
        Assert.Contains("5 input features", error.Message);
        Assert.Contains("[2]", error.Message);
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<TwoD>(data, new TrainingOptions { BatchSize = 11 }, seed: 1));
        Assert.Contains("number of samples (10)", batch.Message);
    }

    private static float[] RunTwoD(Dataset data, int seed, int steps)
    {
        using var trainer = new Trainer<TwoD>(data, new TrainingOptions { BatchSize = 8, Steps = steps, RecordEvery = 100, Seed = seed }, seed: seed);
        trainer.Run();
        return trainer.Parameters;
    }
}

[HomogeneousNetwork(Input = new[] { 2 })]
[Dense(20)] [ReLU]
[Dense(1)]
public partial class TwoD;
