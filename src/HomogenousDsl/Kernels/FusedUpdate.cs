namespace HomogenousDsl.Kernels;

/// <summary>
/// A constant step θ ← θ + factor·g that the dense layers of one backward pass take while they store their weight
/// gradients (see <see cref="UpdateTileStore"/>), lent to the kernels called on this thread by the gradient engine the
/// way <see cref="Parallelism.KernelThreads"/> lends a pool. It records which parameter ranges were updated, so the
/// engine updates only the rest, and whether every parameter written stayed finite. A layer takes part only when its
/// weight and weight gradient are the same range of the parameter and gradient vectors this step was set up with.
/// </summary>
internal sealed unsafe class FusedUpdate
{
    [ThreadStatic] private static FusedUpdate? t_current;

    private readonly (int Start, int Count)[] _applied;
    private float* _parameters;
    private float* _gradient;
    private int _length;
    private float _factor;
    private int _appliedCount;
    private int _nonFinite;

    /// <summary>Creates a step that can record up to <paramref name="maxRanges"/> updated ranges (one per layer).</summary>
    public FusedUpdate(int maxRanges) => _applied = new (int, int)[maxRanges];

    /// <summary>The step lent to this thread's kernels, if any.</summary>
    public static FusedUpdate? Current => t_current;

    /// <summary>The parameter ranges updated so far, in increasing order of start.</summary>
    public ReadOnlySpan<(int Start, int Count)> Applied => _applied.AsSpan(0, _appliedCount);

    /// <summary>True when every parameter the kernels updated is finite.</summary>
    public bool Finite => Volatile.Read(ref _nonFinite) == 0;

    /// <summary>
    /// Starts a step over pinned vectors of <paramref name="length"/> floats: no ranges updated yet. The pointers must
    /// stay valid until the step is no longer lent.
    /// </summary>
    public void Begin(float* parameters, float* gradient, int length, float factor)
    {
        _parameters = parameters;
        _gradient = gradient;
        _length = length;
        _factor = factor;
        _appliedCount = 0;
        _nonFinite = 0;
    }

    /// <summary>
    /// Forgets the vectors (their pointers may no longer be valid); <see cref="Applied"/> and <see cref="Finite"/>
    /// still describe the step.
    /// </summary>
    public void End()
    {
        _parameters = null;
        _gradient = null;
        _length = 0;
    }

    /// <summary>
    /// Lends <paramref name="step"/> (or, with null, no step: an engine nested in another's pass must not take the
    /// outer one's) to the kernels called on this thread until the scope ends.
    /// </summary>
    public static Scope Lend(FusedUpdate? step)
    {
        var previous = t_current;
        t_current = step;
        return new Scope(previous);
    }

    /// <summary>
    /// Returns true, records the range and gives the store that updates it, when the <paramref name="count"/> floats at
    /// <paramref name="weightGradient"/> are a range of this step's gradient not yet updated and
    /// <paramref name="weight"/> the same range of its parameters.
    /// </summary>
    public bool TryClaim(float* weight, float* weightGradient, int count, out UpdateTileStore store)
    {
        store = default;
        long start = weightGradient - _gradient;
        if (_gradient == null || count <= 0 || start < 0 || start + count > _length || weight != _parameters + start || _appliedCount == _applied.Length)
            return false;
        var position = 0;
        while (position < _appliedCount && _applied[position].Start < start)
            position++;
        // A range already updated (a weight used twice) must not be stepped again.
        if ((position > 0 && _applied[position - 1].Start + _applied[position - 1].Count > start)
            || (position < _appliedCount && _applied[position].Start < start + count))
            return false;
        Array.Copy(_applied, position, _applied, position + 1, _appliedCount - position);
        _applied[position] = ((int)start, count);
        _appliedCount++;
        store = new UpdateTileStore((nint)(_parameters - _gradient), _factor);
        return true;
    }

    /// <summary>Records whether the parameters one store (one thread's share of a product) wrote are finite.</summary>
    public void Report(bool finite)
    {
        if (!finite)
            Volatile.Write(ref _nonFinite, 1);
    }

    /// <summary>Restores the previous lending when disposed.</summary>
    public readonly struct Scope(FusedUpdate? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_current = previous;
    }
}
