using HomogenousDsl.Losses;

namespace HomogenousDsl.Training;

/// <summary>
/// Finds the separation step (the first k with all q_i(θ_k) &gt; 0) without a full pass per step. Each step's batch
/// refreshes the last known margins of its samples; only when all known margins are positive does the trainer run
/// one exact forward pass over the whole set, at most once per epoch's worth of steps. A step reported is always
/// separated (the exact pass checked it); it trails the first separated step by the time every sample takes to
/// reappear in a batch, about (n / batch)·ln n steps for uniform batches.
/// </summary>
internal sealed class SeparationWatch
{
    private readonly double[] _margins; // the last known margin of every sample
    private readonly long _stepsBetweenChecks;
    private int _nonPositive;
    private long _lastCheck;

    public SeparationWatch(int count, int batchSize)
    {
        _margins = new double[count];
        _margins.AsSpan().Fill(double.NegativeInfinity);
        _nonPositive = count;
        _stepsBetweenChecks = Math.Max(1, (count + batchSize - 1) / batchSize);
        _lastCheck = -_stepsBetweenChecks;
    }


    /// <summary>Records the batch's margins at step <paramref name="step"/>; true when an exact check is due.</summary>
    public bool Observe(ReadOnlySpan<int> batch, ReadOnlySpan<SampleLoss> samples, long step)
    {
        for (var i = 0; i < batch.Length; i++)
            Set(batch[i], samples[i].Margin);
        if (_nonPositive > 0 || step - _lastCheck < _stepsBetweenChecks)
            return false;
        _lastCheck = step;
        return true;
    }

    /// <summary>Takes all margins from a full pass (an exact check or a measurement).</summary>
    public void Refresh(ReadOnlySpan<SampleLoss> samples)
    {
        for (var i = 0; i < _margins.Length; i++)
            Set(i, samples[i].Margin);
    }

    private void Set(int index, double margin)
    {
        var wasPositive = _margins[index] > 0;
        _margins[index] = margin;
        if (wasPositive != margin > 0)
            _nonPositive += wasPositive ? 1 : -1;
    }
}
