using HomogenousDsl.Data;
using HomogenousDsl.Training;

namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>Times <see cref="Trainer{TNetwork}.TrainStep"/> exactly as a user's training loop calls it.</summary>
public sealed class TrainStepRunner<TNetwork> : IWorkloadRunner where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly Trainer<TNetwork> _trainer;

    /// <summary>A trainer on <paramref name="data"/> from He-initialized parameters (seed 0, as the peer's manual_seed(0)).</summary>
    public TrainStepRunner(Dataset data, RunSettings settings, int batchSize) =>
        _trainer = new Trainer<TNetwork>(data, settings.TrainingOptions(batchSize), seed: 0);

    /// <inheritdoc/>
    public void Step() => _trainer.TrainStep();

    /// <inheritdoc/>
    public WorkloadOutcome Outcome => new(Math.Exp(_trainer.LastBatchLogLoss), _trainer.SeparationStep, null);

    /// <summary>Stops the trainer's worker threads.</summary>
    public void Dispose() => _trainer.Dispose();
}
