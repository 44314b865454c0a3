using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HomogenousDsl.Data;
using HomogenousDsl.Kernels;
using HomogenousDsl.Losses;
using HomogenousDsl.Training;

namespace HomogenousDsl.Margins;

/// <summary>
/// Measures <see cref="MarginReport"/>s over a whole data set: one forward pass for losses and margins, one backward
/// pass for the full gradient (alignment). Buffers are allocated once.
/// </summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class MarginTracker<TNetwork> : IDisposable where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly Dataset _data;
    private readonly LossKind _loss;
    private readonly GradientEngine<TNetwork> _engine;
    private readonly int[] _all;
    private readonly float[] _gradient;
    private readonly float[] _previous;
    private readonly float[] _parameters;
    private bool _hasPrevious;

    /// <summary>
    /// Creates a tracker over <paramref name="data"/>, evaluating <paramref name="chunk"/> samples at a time on up to
    /// <paramref name="threads"/> threads (0: all cores).
    /// </summary>
    public MarginTracker(Dataset data, LossKind loss, int chunk = 256, int threads = 1)
    {
        _data = data;
        _loss = loss;
        _engine = new GradientEngine<TNetwork>(data, loss, data.Count, chunk, threads);
        _parameters = new float[TNetwork.ParameterCount];
        _all = Enumerable.Range(0, data.Count).ToArray();
        _gradient = new float[TNetwork.ParameterCount];
        _previous = new float[TNetwork.ParameterCount];
    }

    /// <summary>Per-sample losses of the last measurement.</summary>
    public ReadOnlySpan<SampleLoss> Samples => _engine.Samples;

    /// <summary>Measures all quantities at <paramref name="parameters"/>; <paramref name="stepSize"/> enters the sphere step.</summary>
    public MarginReport Measure(long step, ReadOnlySpan<float> parameters, double stepSize)
    {
        var n = _data.Count;
        var degree = TNetwork.Degree;
        var logTotal = _engine.Evaluate(Snapshot(parameters), _all);
        var samples = _engine.Samples[..n];

        var minMargin = double.PositiveInfinity;
        var correct = 0;
        foreach (var sample in samples)
        {
            minMargin = Math.Min(minMargin, sample.Margin);
            if (sample.Margin > 0)
                correct++;
        }
        int near1 = 0, near2 = 0, near3 = 0;
        foreach (var sample in samples)
        {
            var gap = sample.Margin - minMargin;
            if (gap < Math.Log(10)) near1++;
            if (gap < Math.Log(100)) near2++;
            if (gap < Math.Log(1000)) near3++;
        }

        var norm = Math.Sqrt(VectorMath.SumOfSquares(parameters));
        var logNorm = Math.Log(norm);
        var scale = Math.Exp(-degree * logNorm);

        _engine.NormalizedGradient(_parameters, _all, logTotal, _gradient);
        var gradientNorm = Math.Sqrt(VectorMath.SumOfSquares(_gradient));
        var alignment = -VectorMath.Dot64(parameters, _gradient) / (norm * gradientNorm);

        var logSphereStep = Math.Log(stepSize) + (degree - 2) * logNorm + _engine.LogTotalWeight(n) - Math.Log(n);
        var directionalChange = double.NaN;
        if (_hasPrevious)
        {
            var previousNorm = Math.Sqrt(VectorMath.SumOfSquares(_previous));
            directionalChange = 1 - VectorMath.Dot64(parameters, _previous) / (norm * previousNorm);
        }
        parameters.CopyTo(_previous);
        _hasPrevious = true;

        return new MarginReport(
            step,
            (logTotal - Math.Log(n)) / Math.Log(10),
            (double)correct / n,
            minMargin,
            minMargin * scale,
            SampleLoss.InverseLoss(_loss, logTotal) * scale,
            minMargin * Math.Exp(-LogLayerNormProduct(parameters)),
            norm,
            alignment,
            logSphereStep / Math.Log(10),
            directionalChange,
            near1,
            near2,
            near3);
    }

    /// <summary>
    /// Forward pass only: true when every margin q_i is positive (the data is separated at these parameters); the
    /// per-sample values land in <see cref="Samples"/>.
    /// </summary>
    public bool MeasureMargins(ReadOnlySpan<float> parameters)
    {
        _engine.Evaluate(Snapshot(parameters), _all);
        foreach (var sample in _engine.Samples[.._data.Count])
        {
            if (sample.Margin <= 0)
                return false;
        }
        return true;
    }

    /// <summary>
    /// Forward pass only: the normalized margin γ = min_i q_i / ‖θ‖^L over the whole set (the W5 workload).
    /// </summary>
    public double NormalizedMargin(ReadOnlySpan<float> parameters)
    {
        _engine.Evaluate(Snapshot(parameters), _all);
        var minMargin = double.PositiveInfinity;
        foreach (var sample in _engine.Samples[.._data.Count])
            minMargin = Math.Min(minMargin, sample.Margin);
        return minMargin * Math.Exp(-TNetwork.Degree * 0.5 * Math.Log(VectorMath.SumOfSquares(parameters)));
    }

    /// <summary>Stops the engine's worker threads.</summary>
    public void Dispose() => _engine.Dispose();

    // The engine shares parameters with worker threads, which cannot hold spans: take a copy (measurements are rare).
    private float[] Snapshot(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != _parameters.Length)
            throw new ArgumentException($"{TNetwork.Description.Name} has {_parameters.Length} parameters; {parameters.Length} were given.", nameof(parameters));
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(parameters), ref _parameters[0]))
            parameters.CopyTo(_parameters);
        return _parameters;
    }

    /// <summary>Σ_l e_l·log‖W_l‖ over parameterized layers (first-layer bias included with its weights).</summary>
    public static double LogLayerNormProduct(ReadOnlySpan<float> parameters)
    {
        var sum = 0.0;
        var layers = TNetwork.Description.ParameterizedLayers;
        for (var l = 0; l < layers.Count; l++) // indexing, not foreach: an interface enumerator would allocate
        {
            var layer = layers[l];
            var squares = VectorMath.SumOfSquares(parameters.Slice(layer.ParameterOffset, layer.ParameterLength));
            sum += layer.DegreeExponent * 0.5 * Math.Log(squares);
        }
        return sum;
    }
}
