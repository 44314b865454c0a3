namespace HomogenousDsl.Training;

/// <summary>
/// Draws each step's batch uniformly at random: n_b distinct indices by a partial Fisher–Yates shuffle of a permutation
/// kept across steps. O(n_b) per step, allocation-free, reproducible from the seed. A full batch is all samples in order.
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _permutation;
    private readonly int _batchSize;
    private readonly Random _random;

    /// <summary>Creates a sampler over <paramref name="count"/> samples.</summary>
    public BatchSampler(int count, int batchSize, int seed)
    {
        if (batchSize < 0 || batchSize > count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch size must be between 1 and the number of samples ({count}), or 0 for full batches.");
        _permutation = Enumerable.Range(0, count).ToArray();
        _batchSize = batchSize == 0 ? count : batchSize;
        IsFullBatch = _batchSize == count;
        _random = new Random(seed);
    }

    /// <summary>Samples per batch.</summary>
    public int BatchSize => _batchSize;

    /// <summary>True when every batch is the whole set.</summary>
    public bool IsFullBatch { get; }

    /// <summary>The next batch's indices (valid until the next call).</summary>
    public ReadOnlySpan<int> Next()
    {
        if (IsFullBatch)
            return _permutation;
        for (var i = 0; i < _batchSize; i++)
        {
            var j = _random.Next(i, _permutation.Length);
            (_permutation[i], _permutation[j]) = (_permutation[j], _permutation[i]);
        }
        return _permutation.AsSpan(0, _batchSize);
    }
}
