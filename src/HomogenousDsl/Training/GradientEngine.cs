using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using HomogenousDsl.Data;
using HomogenousDsl.Kernels;
using HomogenousDsl.Losses;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Training;

/// <summary>
/// Evaluates losses and the normalized gradient g = ∇(Σ_i ℓ_i) / Σ_i ℓ_i over any set of samples. Samples run in blocks
/// of up to <c>chunk</c>. A block large enough to pay for waking threads is split one of two ways (see
/// <see cref="ParallelPlan"/>): by sample into contiguous shards, each with its own workspace and gradient buffer,
/// summed in a fixed order; or, for a training-sized block, inside the kernels, the block running once while every
/// large kernel shares its work out. Either way a given thread count gives bit-identical results. When the set fits one
/// block the forward pass is shared by the loss and the gradient. All buffers are allocated once: evaluating allocates nothing.
/// </summary>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class GradientEngine<TNetwork> : IShardWork, IDisposable where TNetwork : IHomogeneousNetwork<TNetwork>
{
    // Floats summed and updated per piece of a thread's reduction range (16 KB: the piece stays in L1 between the two).
    private const int ReduceChunk = 4096;

    // Rows the batch gather prefetches ahead of the one it copies.
    private const int GatherLookahead = 4;

    private readonly Dataset _data;
    private ByteCodedFeatures? _byteCoded;
    private readonly LossKind _loss;
    private readonly int _chunk;
    private readonly WorkerPool _pool;
    private readonly Shard[] _shards;
    private readonly float[] _outputs;
    private readonly int[] _indices;
    private readonly SampleLoss[] _samples;
    private readonly double[] _logScratch;
    private int _retainedBlock = -1;

    // The phase the shards run, set before each dispatch.
    private Phase _phase;
    private float[] _parameters = [];
    private float[] _gradient = [];
    private int _blockStart;
    private int _blockCount;
    private int _activeShards;
    private bool _splitInKernels;

    // A forward pass over a set larger than a block, shared out piece by piece (see ClaimPieces).
    private readonly int _pieceSize;
    private int _setCount;
    private int _nextPiece;
    private double _logTotal;

    // An elementwise update applied range by range during the reduction, and whether each range stayed finite.
    private IUpdateRule? _fusedUpdate;
    private double _fusedLogScale;
    private readonly bool[] _rangeFinite;

    // An elementwise update taken layer by layer in a one-block backward pass, on one thread or with the kernels split
    // (null: weights not disjoint).
    private readonly LayerwiseUpdate? _layerwise = LayerwiseUpdate.For(TNetwork.Description);

    /// <summary>
    /// Parameters from which the update goes layer by layer. Below it the gradient and the parameters (8 bytes each
    /// pair: 512 KB at the default, half of L2) are still in cache when the update pass runs after the backward pass,
    /// so handing each layer over saves nothing and its bookkeeping cost W1 (300 parameters) 2–6% of its step.
    /// </summary>
    internal int LayerwiseMinimumParameters { get; set; } = 65_536;
    private bool _layerwiseArmed;
    private bool _layerwiseUsed;

    // When a block's kernels were split, the parameter ranges each thread updates (see ParallelPlan).
    private readonly (int Start, int Count)[][] _ownedRanges;
    private readonly bool _kernelsCanSplit;

    // Split kernels of a network that starts with a dense layer: each thread gathers the whole block into its own
    // buffer (see InputMirror); true while the buffers hold the current block's rows.
    private readonly InputMirror? _mirror;
    private bool _mirrorHolds;

    /// <summary>
    /// Creates an engine for sets of up to <paramref name="capacity"/> samples, run <paramref name="chunk"/> at a time on
    /// up to <paramref name="threads"/> threads (0: all cores).
    /// </summary>
    public GradientEngine(Dataset data, LossKind loss, int capacity, int chunk, int threads = 1)
    {
        if (data.FeatureCount != TNetwork.InputSize)
            throw new ArgumentException($"{TNetwork.Description.Name} takes {TNetwork.InputSize} input features per sample ([{string.Join(",", TNetwork.Description.InputShape)}]), but data set '{data.Name}' has {data.FeatureCount} ([{string.Join(",", data.SampleShape)}]).", nameof(data));
        var expectedOutputs = data.Kind == DatasetKind.Binary ? 1 : data.ClassCount;
        if (TNetwork.OutputSize != expectedOutputs)
            throw new ArgumentException($"{TNetwork.Description.Name} has {TNetwork.OutputSize} outputs, but data set '{data.Name}' is {(data.Kind == DatasetKind.Binary ? "binary (labels ±1) and needs 1 output" : $"{data.ClassCount}-class and needs {data.ClassCount} outputs")}.", nameof(data));
        _data = data;
        _byteCoded = data.ByteCoded;
        _loss = loss;
        _chunk = Math.Max(1, Math.Min(chunk, capacity));
        _pool = new WorkerPool(Math.Min(WorkerPool.Resolve(threads), _chunk));
        // Shard 0 runs whole blocks when they are too small to split; the others only ever get a share.
        var perShard = (_chunk + _pool.Threads - 1) / _pool.Threads;
        _pieceSize = perShard;
        _shards = new Shard[_pool.Threads];
        for (var s = 0; s < _shards.Length; s++)
            _shards[s] = s == 0 ? new Shard(_chunk, 0) : new Shard(perShard, TNetwork.ParameterCount);
        _outputs = new float[capacity * TNetwork.OutputSize];
        _indices = new int[capacity];
        _samples = new SampleLoss[capacity];
        _logScratch = new double[capacity];
        _rangeFinite = new bool[_pool.Threads];
        _ownedRanges = ParallelPlan.OwnedRanges(TNetwork.Description, _pool.Threads);
        _kernelsCanSplit = ParallelPlan.KernelsSplit(TNetwork.Description);
        if (_kernelsCanSplit && _pool.Threads > 1 && ParallelPlan.ReadsInputInDenseProducts(TNetwork.Description))
            _mirror = new InputMirror(_shards[0].Inputs, _pool.Threads);
    }

    private enum Phase { Gather, Forward, ClaimedForward, Backward, Reduce }

    /// <summary>The most samples one evaluation may take.</summary>
    public int Capacity => _samples.Length;

    /// <summary>Bytes allocated so far by this engine's worker threads.</summary>
    internal long WorkerAllocatedBytes => _pool.WorkerAllocatedBytes;

    /// <summary>True when the last update was taken layer by layer during the backward pass (see <see cref="LayerwiseUpdate"/>).</summary>
    internal bool UpdatedByLayer => _layerwiseUsed;

    /// <summary>Layers whose weight-gradient product wrote the last update itself (see <see cref="NormalizedUpdate"/>).</summary>
    internal int LayersUpdatedInPlace => _layerwiseUsed ? _layerwise!.InPlaceLayers : 0;

    /// <summary>Whether random batches are decoded from the set's bytes (<see cref="Dataset.ByteCoded"/>); tests turn it off.</summary>
    internal bool GathersBytes
    {
        get => _byteCoded is not null;
        set => _byteCoded = value ? _data.ByteCoded : null;
    }

    /// <summary>Threads this engine may use.</summary>
    public int Threads => _pool.Threads;

    /// <summary>Per-sample losses of the last <see cref="Evaluate"/>, in the order of its indices.</summary>
    public ReadOnlySpan<SampleLoss> Samples => _samples;

    /// <summary>Network outputs of the last <see cref="Evaluate"/>.</summary>
    public ReadOnlySpan<float> Outputs => _outputs;

    /// <summary>Runs the forward pass over the samples and returns log Σ_i ℓ_i; per-sample results land in <see cref="Samples"/>.</summary>
    public double Evaluate(float[] parameters, ReadOnlySpan<int> indices)
    {
        CheckArguments(parameters, indices.Length);
        indices.CopyTo(_indices);
        _parameters = parameters;
        var k = TNetwork.OutputSize;
        if (ClaimsPieces(indices.Length))
        {
            // No block is kept for the gradient: a set of several blocks runs its forward pass again there.
            _retainedBlock = -1;
            _setCount = indices.Length;
            _nextPiece = 0;
            _mirrorHolds = false;
            _phase = Phase.ClaimedForward;
            _pool.Run(this, _pool.Threads);
            return LogSumOfLosses(indices.Length);
        }
        // A set of several blocks packs a weight matrix once for all of them; one block has nothing to share.
        using var held = indices.Length > _chunk ? HoldWeights(parameters) : default;
        for (var start = 0; start < indices.Length; start += _chunk)
        {
            RunBlock(Phase.Forward, start, Math.Min(_chunk, indices.Length - start));
            _retainedBlock = start;
            for (var i = start; i < start + _blockCount; i++)
                _samples[i] = SampleLoss.Evaluate(_loss, _outputs.AsSpan(i * k, k), _data.Targets[_indices[i]]);
        }
        return LogSumOfLosses(indices.Length);
    }

    private double LogSumOfLosses(int count)
    {
        for (var i = 0; i < count; i++)
            _logScratch[i] = _samples[i].LogLoss;
        return LogDomain.LogSumExp(_logScratch.AsSpan(0, count));
    }

    /// <summary>
    /// True when a forward pass over <paramref name="count"/> samples should be shared out piece by piece: a set of
    /// several blocks, each of which would be split by sample. Fixed shares of every block kept the faster core waiting
    /// for the slower one at the end of each block (two virtual cores of a shared host often run 10–30% apart); claimed
    /// pieces keep both busy to the end of the set. The pieces are fixed by the chunk and thread count and a sample's
    /// output does not depend on which thread computes its piece, so a thread count still gives the same bits every run.
    /// </summary>
    private bool ClaimsPieces(int count)
        => count > _chunk && _pool.Threads > 1
           && _chunk * TNetwork.Description.ForwardFlopsPerSample >= ParallelPlan.MinimumFlops
           && !ParallelPlan.SplitsKernels(_kernelsCanSplit, _chunk, _pool.Threads);

    /// <summary>
    /// Overwrites <paramref name="gradient"/> with ∇_θ(Σ_i ℓ_i) / Σ_i ℓ_i for the samples of the preceding
    /// <see cref="Evaluate"/> (same parameters and indices), whose result is <paramref name="logTotal"/>.
    /// </summary>
    public void NormalizedGradient(float[] parameters, ReadOnlySpan<int> indices, double logTotal, float[] gradient)
        => Compute(parameters, indices, logTotal, gradient, update: null, logScale: 0, inPlace: false);

    /// <summary>
    /// <see cref="NormalizedGradient"/>, then <paramref name="update"/> applied with <paramref name="logScale"/>; returns
    /// what the rule returns (false: a parameter became NaN or ±∞). An <see cref="IElementwiseUpdateRule"/> on a block
    /// split over threads is applied by each thread to its range of the gradient as it sums the threads' shares, so the
    /// update costs no serial pass; the result is bit-identical to applying it afterwards.
    /// </summary>
    public bool NormalizedGradientAndUpdate(float[] parameters, ReadOnlySpan<int> indices, double logTotal, float[] gradient, IUpdateRule update, double logScale)
        => Compute(parameters, indices, logTotal, gradient, update, logScale, inPlace: false);

    /// <summary>
    /// The trainer's step: <see cref="NormalizedGradientAndUpdate"/>, except that a constant step taken layer by layer is
    /// written by each dense layer's weight-gradient product itself (<see cref="LayerwiseUpdate"/>), whose range of
    /// <paramref name="scratch"/> is then left as it was. The parameters are the same bits either way; when it returns
    /// false, <see cref="GradientWasFinite"/> says which of gradient and parameters went non-finite.
    /// </summary>
    internal bool NormalizedUpdate(float[] parameters, ReadOnlySpan<int> indices, double logTotal, float[] scratch, IUpdateRule update, double logScale)
        => Compute(parameters, indices, logTotal, scratch, update, logScale, inPlace: true);

    /// <summary>After a step that returned false: true when its gradient was finite (so the parameters overflowed).</summary>
    internal bool GradientWasFinite(float[] gradient)
        => _layerwiseUsed ? _layerwise!.GradientFinite(gradient) : VectorMath.AllFinite(gradient);

    private bool Compute(float[] parameters, ReadOnlySpan<int> indices, double logTotal, float[] gradient, IUpdateRule? update, double logScale,
        bool inPlace)
    {
        CheckArguments(parameters, indices.Length);
        if (gradient.Length != TNetwork.ParameterCount)
            throw new ArgumentException($"{TNetwork.Description.Name} has {TNetwork.ParameterCount} parameters; the gradient has {gradient.Length}.", nameof(gradient));
        if (!indices.SequenceEqual(_indices.AsSpan(0, indices.Length)))
            throw new InvalidOperationException("NormalizedGradient must follow Evaluate with the same samples.");
        _parameters = parameters;
        _gradient = gradient;
        _logTotal = logTotal;
        // One block writes each layer's gradient once, so layers update as they finish (split kernels: row by row, on
        // the thread that finished them). Blocks split by sample sum their gradients first, and update in the reduction.
        _layerwiseArmed = _layerwise is not null && update is IElementwiseUpdateRule && indices.Length <= _chunk
                          && TNetwork.ParameterCount >= LayerwiseMinimumParameters;
        _layerwiseUsed = false;
        if (_layerwiseArmed)
            _layerwise!.Arm(parameters, gradient, update!, logScale, inPlace);
        var shardsUsed = 1;
        // Blocks of a set larger than one are computed before any update (a single block may update layer by layer).
        using (indices.Length > _chunk ? HoldWeights(parameters) : default)
        for (var start = 0; start < indices.Length; start += _chunk)
        {
            var count = Math.Min(_chunk, indices.Length - start);
            if (_retainedBlock != start || indices.Length > _chunk)
                RunBlock(Phase.Forward, start, count);
            RunBlock(Phase.Backward, start, count);
            shardsUsed = Math.Max(shardsUsed, _activeShards);
        }
        _retainedBlock = -1;
        _layerwiseArmed = false;
        if (_layerwiseUsed)
            return _layerwise!.Finish();
        // One gradient buffer needs no summing; when the kernels were split, each thread still updates its own rows.
        if (shardsUsed == 1 && !(_splitInKernels && update is IElementwiseUpdateRule))
            return update?.Apply(parameters, gradient, logScale) ?? true;

        _activeShards = shardsUsed;
        _fusedUpdate = update is IElementwiseUpdateRule ? update : null;
        _fusedLogScale = logScale;
        try
        {
            _pool.Run(this, _pool.Threads);
        }
        finally
        {
            _fusedUpdate = null;
        }
        if (update is null)
            return true;
        if (update is not IElementwiseUpdateRule)
            return update.Apply(parameters, gradient, logScale);
        var finite = true;
        foreach (var rangeFinite in _rangeFinite)
            finite &= rangeFinite;
        return finite;
    }

    /// <summary>log Σ_i |ℓ'(q_i)| over the last evaluation (the total adjoint weight, for the sphere step).</summary>
    public double LogTotalWeight(int count)
    {
        for (var i = 0; i < count; i++)
            _logScratch[i] = _samples[i].LogWeight;
        return LogDomain.LogSumExp(_logScratch.AsSpan(0, count));
    }

    /// <inheritdoc/>
    void IShardWork.RunShard(int shard)
    {
        if (_phase == Phase.Reduce)
        {
            Reduce(shard);
            return;
        }
        if (_phase == Phase.ClaimedForward)
        {
            ClaimPieces(shard);
            return;
        }
        if (_phase == Phase.Gather && _mirror is not null)
        {
            // Every thread gathers the whole block into its own buffer, through its own caches: no line crosses cores.
            Gather(_blockStart, _blockCount, _mirror.RowsOf(shard).AsSpan(0, _blockCount * TNetwork.InputSize));
            return;
        }
        if (_phase == Phase.Gather)
        {
            // Split kernels: every thread copies a share of the block's rows into the one input buffer. Both threads read
            // all of it in the last step, so each line written here had to be taken back from the other core first
            // (5.5 GB/s against 37 for a line of its own, measured on this host's two cores); written past the caches,
            // such lines cost no hand-over (25 GB/s), and the products read the rows from memory.
            var (first, rowCount) = WorkerPool.Share(_blockCount, shard, _pool.Threads);
            Gather(_blockStart + first, rowCount, _shards[0].Inputs.AsSpan(first * TNetwork.InputSize, rowCount * TNetwork.InputSize), nonTemporal: true);
            return;
        }
        var (start, count) = WorkerPool.Share(_blockCount, shard, _activeShards);
        if (count == 0)
            return;
        var state = _shards[shard];
        var k = TNetwork.OutputSize;
        var size = TNetwork.InputSize;
        var outputs = _outputs.AsSpan((_blockStart + start) * k, count * k);
        // Consecutive rows are read where they are, in both phases; other rows were gathered by the forward phase
        // (split kernels: by the gather phase) and are still in the buffer for the backward one.
        var inPlace = IsRun(_blockStart + start, count);
        ReadOnlySpan<float> inputs = inPlace ? DataRows(_blockStart + start, count) : state.Inputs.AsSpan(0, count * size);
        if (_phase == Phase.Forward)
        {
            if (!inPlace && !_splitInKernels)
                Gather(_blockStart + start, count, state.Inputs.AsSpan(0, count * size));
            TNetwork.Forward(_parameters, inputs, outputs, count, state.Workspace);
            return;
        }
        // Each shard overwrites its own gradient buffer on the first block and adds later blocks to it.
        var gradient = shard == 0 ? _gradient : state.Gradient;
        var write = _blockStart == 0 ? GradientWrite.Overwrite : GradientWrite.Accumulate;
        var adjoints = state.Adjoints.AsSpan(0, count * k);
        for (var i = 0; i < count; i++)
        {
            var sample = _blockStart + start + i;
            _samples[sample].WriteAdjoints(outputs.Slice(i * k, k), _data.Targets[_indices[sample]], _logTotal, adjoints.Slice(i * k, k));
        }
        if (!(_layerwiseArmed && _activeShards == 1))
        {
            TNetwork.Backward(_parameters, inputs, adjoints, gradient, count, state.Workspace, write);
            return;
        }
        _layerwiseUsed = true;
        LayerUpdate.Begin(_layerwise!);
        try
        {
            TNetwork.Backward(_parameters, inputs, adjoints, gradient, count, state.Workspace, write);
        }
        finally
        {
            LayerUpdate.End();
        }
    }

    /// <summary>
    /// Forward passes and losses of pieces of the set (positions _pieceSize·j onwards), each claimed by whichever thread
    /// is free next. The pieces are the same whichever thread takes them, and so are their results.
    /// </summary>
    private void ClaimPieces(int shard)
    {
        using var held = HoldWeights(_parameters);
        var state = _shards[shard];
        var k = TNetwork.OutputSize;
        var size = TNetwork.InputSize;
        while (true)
        {
            var start = Interlocked.Add(ref _nextPiece, _pieceSize) - _pieceSize;
            if (start >= _setCount)
                return;
            var count = Math.Min(_pieceSize, _setCount - start);
            var outputs = _outputs.AsSpan(start * k, count * k);
            TNetwork.Forward(_parameters, Inputs(start, count, state.Inputs), outputs, count, state.Workspace);
            for (var i = start; i < start + count; i++)
                _samples[i] = SampleLoss.Evaluate(_loss, _outputs.AsSpan(i * k, k), _data.Targets[_indices[i]]);
        }
    }

    /// <summary>
    /// Pins <paramref name="parameters"/> and lets this thread's kernels keep weights they pack until the scope ends
    /// (<see cref="HeldPackedWeights"/>): for a pass over several blocks or pieces with the parameters unchanged.
    /// </summary>
    private static WeightsHeld HoldWeights(float[] parameters)
        => new(GCHandle.Alloc(parameters, GCHandleType.Pinned), HeldPackedWeights.Hold());

    /// <summary>The pin and the kernels' hold of <see cref="HoldWeights"/>, released together.</summary>
    private readonly struct WeightsHeld(GCHandle pin, HeldPackedWeights.Scope held) : IDisposable
    {
        public void Dispose()
        {
            if (!pin.IsAllocated)
                return;
            held.Dispose();
            pin.Free();
        }
    }

    /// <summary>
    /// The feature rows of samples first … first + count − 1 (positions in the index list): read in place when they are
    /// consecutive rows of the data set (a whole-set evaluation in order: the margin measurements), else gathered into
    /// <paramref name="buffer"/>. The copy was 4% of an evaluation's time, and the kernels read either alike.
    /// </summary>
    private ReadOnlySpan<float> Inputs(int first, int count, float[] buffer)
    {
        if (IsRun(first, count))
            return DataRows(first, count);
        var inputs = buffer.AsSpan(0, count * TNetwork.InputSize);
        Gather(first, count, inputs);
        return inputs;
    }

    // True when samples first … first + count − 1 are consecutive rows of the data set.
    private bool IsRun(int first, int count)
    {
        var rows = _indices.AsSpan(first, count);
        var row = rows[0];
        for (var i = 1; i < rows.Length; i++)
        {
            if (rows[i] != row + i)
                return false;
        }
        return true;
    }

    private ReadOnlySpan<float> DataRows(int first, int count)
        => _data.Features.AsSpan(_indices[first] * TNetwork.InputSize, count * TNetwork.InputSize);

    /// <summary>
    /// Copies the feature rows of samples first … first + count − 1 (positions in the index list) into inputs: decoded
    /// from the set's bytes where it has them (a quarter of the memory traffic, the same floats), else copied.
    /// </summary>
    private void Gather(int first, int count, Span<float> inputs, bool nonTemporal = false)
    {
        var size = TNetwork.InputSize;
        var rows = _indices.AsSpan(first, count);
        PrefetchRows(rows[..Math.Min(GatherLookahead, count)]);
        for (var i = 0; i < count; i++)
        {
            // Rows come from anywhere in a set larger than the caches: keep a few in flight ahead of the copy.
            if (i + GatherLookahead < count)
                PrefetchRows(rows.Slice(i + GatherLookahead, 1));
            if (_byteCoded is { } coded)
                coded.Decode(rows[i], inputs.Slice(i * size, size), nonTemporal);
            else
                _data.Features.AsSpan(rows[i] * size, size).CopyTo(inputs.Slice(i * size, size));
        }
        // Decode wrote past the caches only where it could (512-bit registers), and the fence exists only on x86.
        if (nonTemporal && Sse.IsSupported)
            Sse.StoreFence();
    }

    // Hints the rows Gather will read (bytes or floats) into the caches.
    private void PrefetchRows(ReadOnlySpan<int> rows)
    {
        if (_byteCoded is { } coded)
            RowPrefetch.Rows(coded.Codes, TNetwork.InputSize, rows);
        else
            RowPrefetch.Rows(_data.Features, TNetwork.InputSize, rows);
    }

    /// <summary>
    /// Shard s adds every shard's gradient over its own parameter range, in shard order, then applies the fused
    /// elementwise update to that range while it is still in cache.
    /// </summary>
    private void Reduce(int shard)
    {
        if (_activeShards == 1)
        {
            // One gradient, written by threads that split the kernels: each updates the dense rows it computed.
            var finite = true;
            foreach (var (first, length) in _ownedRanges[shard])
                finite &= _fusedUpdate!.Apply(_parameters.AsSpan(first, length), _gradient.AsSpan(first, length), _fusedLogScale);
            _rangeFinite[shard] = finite;
            return;
        }
        var (start, count) = WorkerPool.Share(_gradient.Length, shard, _pool.Threads);
        var rangeFinite = true;
        // In L1-sized pieces, so the summed gradient is still in cache when the update reads it: one trip to memory.
        for (var first = start; first < start + count; first += ReduceChunk)
        {
            var length = Math.Min(ReduceChunk, start + count - first);
            var total = _gradient.AsSpan(first, length);
            for (var s = 1; s < _activeShards; s++)
                VectorMath.Add(_shards[s].Gradient.AsSpan(first, length), total);
            if (_fusedUpdate is { } update)
                rangeFinite &= update.Apply(_parameters.AsSpan(first, length), total, _fusedLogScale);
        }
        _rangeFinite[shard] = rangeFinite;
    }

    private void RunBlock(Phase phase, int start, int count)
    {
        _phase = phase;
        _blockStart = start;
        _blockCount = count;
        var worthSplitting = _pool.Threads > 1 && count * TNetwork.Description.ForwardFlopsPerSample >= ParallelPlan.MinimumFlops;
        _splitInKernels = worthSplitting && ParallelPlan.SplitsKernels(_kernelsCanSplit, count, _pool.Threads);
        _activeShards = worthSplitting && !_splitInKernels ? Math.Min(_pool.Threads, count) : 1;
        // A small block runs once, every large kernel split across threads inside (dense by feature, convolution by sample);
        // its rows are gathered by all threads first.
        // A forward phase rewrites the input buffer (or reads rows in place): only its own gather fills the mirror.
        if (phase == Phase.Forward)
            _mirrorHolds = false;
        if (_splitInKernels && phase == Phase.Forward && !IsRun(start, count))
        {
            _phase = Phase.Gather;
            _pool.Run(this, _pool.Threads);
            _phase = phase;
            _mirrorHolds = _mirror is not null;
        }
        using (KernelThreads.Lend(_splitInKernels ? _pool : null))
        using (InputMirror.Lend(_splitInKernels && _mirrorHolds ? _mirror : null))
            _pool.Run(this, _activeShards);
        if (phase == Phase.Backward)
            _phase = Phase.Reduce;
    }

    private void CheckArguments(float[] parameters, int count)
    {
        if (parameters.Length != TNetwork.ParameterCount)
            throw new ArgumentException($"{TNetwork.Description.Name} has {TNetwork.ParameterCount} parameters; {parameters.Length} were given.", nameof(parameters));
        if (count <= 0 || count > _samples.Length)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"between 1 and {_samples.Length} samples per evaluation");
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _pool.Dispose();

    /// <summary>One thread's buffers: gathered inputs, workspace, adjoints and (for shards after the first) a gradient.</summary>
    private sealed class Shard(int samples, int gradientLength)
    {
        // Pinned: the input mirror finds the rows a product reads by address (see InputMirror).
        public float[] Inputs { get; } = GC.AllocateArray<float>(samples * TNetwork.InputSize, pinned: true);
        public float[] Adjoints { get; } = new float[samples * TNetwork.OutputSize];
        public float[] Workspace { get; } = new float[TNetwork.WorkspaceSize(samples)];
        public float[] Gradient { get; } = new float[gradientLength];
    }
}
