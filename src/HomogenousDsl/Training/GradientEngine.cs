using HomogenousDsl.Data;
using HomogenousDsl.Losses;

namespace HomogenousDsl.Training;

/// <summary>
/// Evaluates losses and the normalized gradient g = ∇(Σ_i ℓ_i) / Σ_i ℓ_i over any set of samples, in chunks that fit one
/// workspace. When the set fits one chunk the forward pass is shared by the loss and the gradient; otherwise the
/// gradient pass recomputes each chunk's forward. All buffers are allocated once: evaluating allocates nothing.
/// </summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class GradientEngine<TNetwork> where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly Dataset _data;
    private readonly LossKind _loss;
    private readonly int _chunk;
    private readonly float[] _inputs;
    private readonly float[] _outputs;
    private readonly float[] _adjoints;
    private readonly float[] _workspace;
    private readonly SampleLoss[] _samples;
    private readonly double[] _logScratch;
    private int _forwardChunkStart = -1;

    /// <summary>Creates an engine for sets of up to <paramref name="capacity"/> samples, run <paramref name="chunk"/> at a time.</summary>
    public GradientEngine(Dataset data, LossKind loss, int capacity, int chunk)
    {
        if (data.FeatureCount != TNetwork.InputSize)
            throw new ArgumentException($"{TNetwork.Description.Name} takes {TNetwork.InputSize} input features per sample ([{string.Join(",", TNetwork.Description.InputShape)}]), but data set '{data.Name}' has {data.FeatureCount} ([{string.Join(",", data.SampleShape)}]).", nameof(data));
        var expectedOutputs = data.Kind == DatasetKind.Binary ? 1 : data.ClassCount;
        if (TNetwork.OutputSize != expectedOutputs)
            throw new ArgumentException($"{TNetwork.Description.Name} has {TNetwork.OutputSize} outputs, but data set '{data.Name}' is {(data.Kind == DatasetKind.Binary ? "binary (labels ±1) and needs 1 output" : $"{data.ClassCount}-class and needs {data.ClassCount} outputs")}.", nameof(data));
        _data = data;
        _loss = loss;
        _chunk = Math.Min(chunk, capacity);
        _inputs = new float[_chunk * TNetwork.InputSize];
        _adjoints = new float[_chunk * TNetwork.OutputSize];
        _workspace = new float[TNetwork.WorkspaceSize(_chunk)];
        _outputs = new float[capacity * TNetwork.OutputSize];
        _samples = new SampleLoss[capacity];
        _logScratch = new double[capacity];
    }

    /// <summary>The most samples one evaluation may take.</summary>
    public int Capacity => _samples.Length;

    /// <summary>Per-sample losses of the last <see cref="Evaluate"/>, in the order of its indices.</summary>
    public ReadOnlySpan<SampleLoss> Samples => _samples;

    /// <summary>Network outputs of the last <see cref="Evaluate"/>.</summary>
    public ReadOnlySpan<float> Outputs => _outputs;

    /// <summary>Runs the forward pass over the samples and returns log Σ_i ℓ_i; per-sample results land in <see cref="Samples"/>.</summary>
    public double Evaluate(ReadOnlySpan<float> parameters, ReadOnlySpan<int> indices)
    {
        CheckCapacity(indices.Length);
        var k = TNetwork.OutputSize;
        for (var start = 0; start < indices.Length; start += _chunk)
        {
            var count = Math.Min(_chunk, indices.Length - start);
            var outputs = _outputs.AsSpan(start * k, count * k);
            ForwardChunk(parameters, indices.Slice(start, count), outputs);
            _forwardChunkStart = start;
            for (var i = 0; i < count; i++)
                _samples[start + i] = SampleLoss.Evaluate(_loss, outputs.Slice(i * k, k), _data.Targets[indices[start + i]]);
        }
        for (var i = 0; i < indices.Length; i++)
            _logScratch[i] = _samples[i].LogLoss;
        return LogDomain.LogSumExp(_logScratch.AsSpan(0, indices.Length));
    }

    /// <summary>
    /// Overwrites <paramref name="gradient"/> with ∇_θ(Σ_i ℓ_i) / Σ_i ℓ_i for the samples of the preceding
    /// <see cref="Evaluate"/> (same parameters and indices), whose result is <paramref name="logTotal"/>.
    /// </summary>
    public void NormalizedGradient(ReadOnlySpan<float> parameters, ReadOnlySpan<int> indices, double logTotal, Span<float> gradient)
    {
        CheckCapacity(indices.Length);
        gradient.Clear();
        var k = TNetwork.OutputSize;
        for (var start = 0; start < indices.Length; start += _chunk)
        {
            var count = Math.Min(_chunk, indices.Length - start);
            var chunkIndices = indices.Slice(start, count);
            var outputs = _outputs.AsSpan(start * k, count * k);
            if (_forwardChunkStart != start || indices.Length > _chunk)
                ForwardChunk(parameters, chunkIndices, outputs);
            var adjoints = _adjoints.AsSpan(0, count * k);
            for (var i = 0; i < count; i++)
                _samples[start + i].WriteAdjoints(outputs.Slice(i * k, k), _data.Targets[chunkIndices[i]], logTotal, adjoints.Slice(i * k, k));
            TNetwork.Backward(parameters, _inputs.AsSpan(0, count * TNetwork.InputSize), adjoints, gradient, count, _workspace);
        }
        _forwardChunkStart = -1;
    }

    /// <summary>log Σ_i |ℓ'(q_i)| over the last evaluation (the total adjoint weight, for the sphere step).</summary>
    public double LogTotalWeight(int count)
    {
        for (var i = 0; i < count; i++)
            _logScratch[i] = _samples[i].LogWeight;
        return LogDomain.LogSumExp(_logScratch.AsSpan(0, count));
    }

    private void ForwardChunk(ReadOnlySpan<float> parameters, ReadOnlySpan<int> indices, Span<float> outputs)
    {
        var size = TNetwork.InputSize;
        var features = _data.Features.AsSpan();
        for (var i = 0; i < indices.Length; i++)
            features.Slice(indices[i] * size, size).CopyTo(_inputs.AsSpan(i * size, size));
        TNetwork.Forward(parameters, _inputs.AsSpan(0, indices.Length * size), outputs, indices.Length, _workspace);
    }

    private void CheckCapacity(int count)
    {
        if (count <= 0 || count > _samples.Length)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"between 1 and {_samples.Length} samples per evaluation");
    }
}
