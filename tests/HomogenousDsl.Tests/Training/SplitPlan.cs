using HomogenousDsl.Training;

namespace HomogenousDsl.Tests.Training;

/// <summary>
/// Forces the engine's choice between splitting a block by sample and splitting inside the kernels (it picks by batch
/// size) until disposed. Tests that use it run in the <see cref="AllocationSensitive"/> collection, alone.
/// </summary>
internal readonly struct SplitPlan : IDisposable
{
    private readonly int _previous;

    private SplitPlan(int minimumSamplesPerShard)
    {
        _previous = ParallelPlan.MinimumSamplesPerShard;
        ParallelPlan.MinimumSamplesPerShard = minimumSamplesPerShard;
    }

    /// <summary>Every block large enough to split is split by sample.</summary>
    public static SplitPlan BySample() => new(1);

    /// <summary>Every block large enough to split is split inside the kernels (where every layer can).</summary>
    public static SplitPlan InKernels() => new(int.MaxValue);

    public void Dispose() => ParallelPlan.MinimumSamplesPerShard = _previous;
}
