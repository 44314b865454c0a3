using HomogenousDsl.Losses;

namespace HomogenousDsl.Training;

/// <summary>What to run: loss, batches, update rule, length, seed and how often to measure.</summary>
public sealed record TrainingOptions
{
    /// <summary>The loss; exponential by default, as in the late-stage theory.</summary>
    public LossKind Loss { get; init; } = LossKind.Exponential;

    /// <summary>Samples per step, drawn uniformly without replacement within a step; 0 means the full batch (GD).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The update rule; a constant step of 0.1 by default.</summary>
    public IUpdateRule UpdateRule { get; init; } = new ConstantStep(0.1);

    /// <summary>Number of updates to make.</summary>
    public long Steps { get; init; } = 10_000;

    /// <summary>Seed of the batch sampler (the parameters are seeded separately when they are initialized).</summary>
    public int Seed { get; init; }

    /// <summary>Measure over the full training set every this many steps (and at the first and last step).</summary>
    public long RecordEvery { get; init; } = 1_000;

    /// <summary>
    /// Threads a large step is split over (0: all cores; 1: single-threaded): by sample, or for a dense network's
    /// training batch by feature inside each matrix product. Small workloads stay on one thread whatever this says.
    /// Results are bit-identical for a given seed and thread count, and differ from one thread's only where threads
    /// share a sum (a first dense layer's adjoint under another dense layer, a convolution's weight gradient, a batch
    /// split by sample): by that sum's rounding.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// Find the separation step between measurements (<see cref="SeparationWatch"/>): costs an occasional forward pass
    /// over the whole set until separation is confirmed. Off, separation is only checked at measurements.
    /// </summary>
    public bool WatchSeparation { get; init; } = true;

    /// <summary>Samples per forward/backward chunk when measuring over the whole set.</summary>
    public int EvaluationChunk { get; init; } = 256;
}
