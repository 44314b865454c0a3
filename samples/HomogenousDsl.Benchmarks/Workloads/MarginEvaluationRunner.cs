using HomogenousDsl.Data;
using HomogenousDsl.Margins;

namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>
/// Times the peer's <c>bench_margin</c>: a forward pass over every sample and min_i q_i / ‖θ‖₂^L, with nothing else
/// (no loss gradient, no alignment), through <see cref="MarginTracker{TNetwork}.NormalizedMargin"/>.
/// </summary>
public sealed class MarginEvaluationRunner<TNetwork> : IWorkloadRunner where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly MarginTracker<TNetwork> _tracker;
    private readonly float[] _parameters = new float[TNetwork.ParameterCount];
    private double _margin = double.NaN;

    /// <summary>A tracker over all of <paramref name="data"/> with He-initialized parameters (seed 0).</summary>
    public MarginEvaluationRunner(Dataset data, RunSettings settings)
    {
        _tracker = new MarginTracker<TNetwork>(data, settings.Loss, chunk: 512, threads: settings.Threads);
        ParameterInitializer.HeNormal(TNetwork.Description, _parameters, seed: 0);
    }

    /// <inheritdoc/>
    public void Step() => _margin = _tracker.NormalizedMargin(_parameters);

    /// <summary>Stops the tracker's worker threads.</summary>
    public void Dispose() => _tracker.Dispose();

    /// <inheritdoc/>
    public WorkloadOutcome Outcome => new(null, null, _margin);
}
