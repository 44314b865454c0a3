using HomogenousDsl.Data;
using HomogenousDsl.Kernels;
using HomogenousDsl.Margins;

namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>
/// Times the peer's <c>bench_margin</c>: a forward pass over every sample and min_i q_i / ‖θ‖₂^L, with nothing else
/// (no loss gradient, no alignment), through <see cref="MarginTracker{TNetwork}.MeasureMargins"/>.
/// </summary>
public sealed class MarginEvaluationRunner<TNetwork> : IWorkloadRunner where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly MarginTracker<TNetwork> _tracker;
    private readonly float[] _parameters = new float[TNetwork.ParameterCount];
    private double _margin = double.NaN;

    /// <summary>A tracker over all of <paramref name="data"/> with He-initialized parameters (seed 0).</summary>
    public MarginEvaluationRunner(Dataset data, RunSettings settings)
    {
        _tracker = new MarginTracker<TNetwork>(data, settings.Loss);
        ParameterInitializer.HeNormal(TNetwork.Description, _parameters, seed: 0);
    }

    /// <inheritdoc/>
    public void Step()
    {
        _tracker.MeasureMargins(_parameters);
        var minimum = double.PositiveInfinity;
        foreach (var sample in _tracker.Samples)
            minimum = Math.Min(minimum, sample.Margin);
        var norm = Math.Sqrt(VectorMath.SumOfSquares(_parameters));
        _margin = minimum / Math.Pow(norm, TNetwork.Degree);
    }

    /// <inheritdoc/>
    public WorkloadOutcome Outcome => new(null, null, _margin);
}
