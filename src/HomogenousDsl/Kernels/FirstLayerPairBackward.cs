using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>
/// The backward pass of a network's first dense layer and the dense layer above it as one dispatch over the worker
/// pool, where the layer-by-layer pass makes three (the upper layer's input adjoint, its weight gradient, the first
/// layer's weight gradient), each ending at a barrier. The upper weights are cut between the shards by rows, evenly,
/// and no shard reads another's rows: on two cores that sit far apart, taking lines the other core last wrote is what
/// a split step waits on (docs/performance-analysis.md, rounds 22–27). Shard s:
/// <list type="number">
/// <item>with a one-output layer above (<see cref="OneOutputHead"/>), its rows of δ, that layer's input adjoint, and of
/// that layer's weight gradient and update: a row of each needs only the same row of the head's input;</item>
/// <item>its part of the hidden adjoint, Pₛ = Wₛᵀ·δₛ over the upper rows it owns, for every hidden feature;</item>
/// <item>its rows of the upper weight gradient, dW = δ·hᵀ (and, fused, of the update): no other shard reads them;</item>
/// <item>once every part is in, its hidden rows of δh = act′ ⊙ (P₀ + P₁ + …), summed in shard order;</item>
/// <item>the same rows of the first layer's weight gradient, dW₁ = δh·X (and of the first layer's update).</item>
/// </list>
/// The wait before the sum is filled by the upper rows' gradient. The hidden rows are cut by the pace each shard
/// showed; the upper rows are not, since they fix the order of the hidden adjoint's sum: for a given thread count the
/// bits never change, and they differ from one thread's only in that sum's rounding (the two weight-gradient products
/// are one thread's bits for the same δh).
/// </summary>
internal sealed unsafe class FirstLayerPairBackward : IShardWork
{
    [ThreadStatic] private static FirstLayerPairBackward? t_instance;

    /// <summary>The shares learned for pairs dispatched from this thread (null before the first).</summary>
    internal static SplitBalance? Balance => t_instance?._balance;

    private SplitBalance? _balance;
    private int[] _hiddenStarts = [], _upperStarts = [];
    private long[] _finished = [];
    // Offset tables of the three products' operands, on the pinned heap (grown, never shrunk).
    private int[]? _hiddenUnit, _upperByHidden, _upperByBatch, _batchUnit, _hiddenByBatch, _inputRows, _inputColumns;

    private OffsetMatrix _weightT, _adjointT, _hiddenAdjointRows, _input, _adjointRows, _hiddenT;
    private float* _hiddenAdjoint, _upperAdjoint, _firstTarget, _upperTarget;
    private int _batch, _inFeatures, _hiddenFeatures, _outFeatures, _shards;
    private bool _firstAccumulate, _upperAccumulate;
    private float _firstScale, _upperScale;
    private bool _firstWatched, _upperWatched;
    private ISplitEpilogue? _derivative, _firstFinish, _upperFinish;
    private InputMirror? _mirror;
    private bool _overwrite;
    // The one-output layer above, if the pair took it (see OneOutputHead); its input adjoint is the pair's δ.
    private HeadRows _head;
    private ISplitEpilogue? _headFinish;
    // Shards past step 1; the hidden adjoint's sum waits for all of them.
    private int _partsDone;
    // Each shard's part of the hidden adjoint [hidden × batch], grown by the shard itself (pinned, never shrunk).
    private float[]?[] _partArrays = [];
    private nint[] _parts = [];

    /// <summary>
    /// Runs the pair on the pool lent to this thread and returns true; false, having changed nothing, where it should run
    /// as two backward calls: no pool, products too small to split, or layouts other than feature-major between the layers.
    /// </summary>
    public static bool TryRun(ReadOnlySpan<float> weight, ReadOnlySpan<float> hidden, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        Span<float> hiddenAdjoint, ReadOnlySpan<float> firstWeight, ReadOnlySpan<float> input, Span<float> firstWeightGradient,
        int batch, int inFeatures, int hiddenFeatures, int outFeatures, GradientWrite write,
        ActivationLayout inputLayout, ActivationLayout hiddenLayout, ActivationLayout outputLayout, ActivationEpilogue hiddenActivation, float slope)
        => TryRun(default, weight, hidden, outputAdjoint, weightGradient, hiddenAdjoint, firstWeight, input, firstWeightGradient,
            batch, inFeatures, hiddenFeatures, outFeatures, write, inputLayout, hiddenLayout, outputLayout, hiddenActivation, slope);

    /// <summary>
    /// As the pair alone, with the backward pass of the one-output layer above it (<paramref name="head"/>, unless empty)
    /// in the same dispatch: the pair's output adjoint is then the head's input adjoint, which each shard makes for the
    /// upper rows it owns before it reads them (<paramref name="outputAdjoint"/> must be that span). The head's weight
    /// gradient and update are per row too, so every bit equals the head's <see cref="DenseKernel"/> backward call on
    /// the same pool followed by the pair.
    /// </summary>
    public static bool TryRun(in OneOutputHead head, ReadOnlySpan<float> weight, ReadOnlySpan<float> hidden, ReadOnlySpan<float> outputAdjoint,
        Span<float> weightGradient, Span<float> hiddenAdjoint, ReadOnlySpan<float> firstWeight, ReadOnlySpan<float> input, Span<float> firstWeightGradient,
        int batch, int inFeatures, int hiddenFeatures, int outFeatures, GradientWrite write,
        ActivationLayout inputLayout, ActivationLayout hiddenLayout, ActivationLayout outputLayout, ActivationEpilogue hiddenActivation, float slope)
    {
        if (!head.IsEmpty && !Unsafe.AreSame(ref MemoryMarshal.GetReference(outputAdjoint), ref MemoryMarshal.GetReference(head.InputAdjoint)))
            throw new ArgumentException("With a one-output layer above, the pair's output adjoint is that layer's input adjoint.", nameof(outputAdjoint));
        var pool = KernelThreads.Current;
        if (pool is null || hiddenLayout != ActivationLayout.FeatureMajor || outputLayout != ActivationLayout.FeatureMajor
            || batch < 2 || inFeatures < 2 || write is not (GradientWrite.Overwrite or GradientWrite.Accumulate)
            || !Splits(hiddenFeatures, batch, outFeatures) || !Splits(hiddenFeatures, inFeatures, batch) || !Splits(outFeatures, hiddenFeatures, batch))
            return false;
        var shards = Math.Min(pool.Threads, Math.Min(hiddenFeatures, outFeatures) / GemmMicroKernel.Rows);
        if (shards < 2)
            return false;

        // Who updates the weights: the products themselves (a constant step), the threads row by row as they finish
        // them (another rule), or nobody (plain gradients, no sink). Asking for an in-place update a sink refuses changes
        // nothing. Both ways of updating run this same pass, so the gradient has the same bits whichever the rule.
        bool overwrite = write == GradientWrite.Overwrite, inPlaceable = overwrite && batch <= GemmMicroKernel.RowStride;
        int upperCount = outFeatures * hiddenFeatures, firstCount = hiddenFeatures * inFeatures;
        var upperUpdate = inPlaceable ? LayerUpdate.TakeInPlace(weight[..upperCount], weightGradient[..upperCount], hiddenFeatures) : null;
        // Read before the next take: a sink may hand both layers over through one object.
        Span<float> upperWeightsTaken = upperUpdate is null ? default : upperUpdate.Weights;
        float upperScale = upperUpdate?.Scale ?? 1f;
        var upperRows = upperUpdate ?? LayerUpdate.TakeRows(weight[..upperCount], weightGradient[..upperCount], hiddenFeatures);
        var firstUpdate = inPlaceable ? LayerUpdate.TakeInPlace(firstWeight[..firstCount], firstWeightGradient[..firstCount], inFeatures) : null;
        Span<float> firstWeightsTaken = firstUpdate is null ? default : firstUpdate.Weights;
        var firstRows = firstUpdate ?? LayerUpdate.TakeRows(firstWeight[..firstCount], firstWeightGradient[..firstCount], inFeatures);
        // The head's rows are the upper layer's, one weight each; its small products never write an update in place.
        var headRows = head.IsEmpty ? null : LayerUpdate.TakeRows(head.Weight[..outFeatures], head.WeightGradient[..outFeatures], 1);

        var pair = t_instance ??= new FirstLayerPairBackward();
        fixed (float* w = weight, h = hidden, dy = outputAdjoint, dh = hiddenAdjoint, x = input, dw = weightGradient, dw1 = firstWeightGradient)
        fixed (float* upperWeights = upperWeightsTaken, firstWeights = firstWeightsTaken)
        fixed (float* headWeight = head.Weight, headInput = head.Input, headAdjoint = head.OutputAdjoint, headGradient = head.WeightGradient)
        {
            pair.Prepare(w, h, dy, dh, x, batch, inFeatures, hiddenFeatures, outFeatures, inputLayout, shards);
            pair._overwrite = overwrite;
            pair._head = head.IsEmpty ? default : new HeadRows(headWeight, headInput, headAdjoint, headGradient, head.Activation, head.Slope);
            pair._headFinish = headRows;
            pair._derivative = ActivationDerivative.For(hiddenActivation, slope, h, dh, hiddenFeatures, batch, byColumn: false);
            pair._firstTarget = firstUpdate is null ? dw1 : firstWeights;
            pair._firstAccumulate = firstUpdate is not null || !overwrite;
            pair._firstScale = firstUpdate?.Scale ?? 1f;
            pair._firstWatched = firstUpdate is not null;
            pair._firstFinish = firstRows;
            pair._upperTarget = upperUpdate is null ? dw : upperWeights;
            pair._upperAccumulate = upperUpdate is not null || !overwrite;
            pair._upperScale = upperScale;
            pair._upperWatched = upperUpdate is not null;
            pair._upperFinish = upperRows;
            pair.Run(pool, shards);
        }
        // Plain gradients: their layers are final now (a no-op without a sink).
        if (!head.IsEmpty && headRows is null)
            LayerUpdate.Done(head.Weight[..outFeatures], head.WeightGradient[..outFeatures]);
        if (upperRows is null)
            LayerUpdate.Done(weight[..upperCount], weightGradient[..upperCount]);
        if (firstRows is null)
            LayerUpdate.Done(firstWeight[..firstCount], firstWeightGradient[..firstCount]);
        return true;
    }

    // Each product large enough that the layer-by-layer pass would split it, on the packed GEMM.
    private static bool Splits(int m, int n, int k) => PackedGemm.IsWorthwhile(m, n, k) && (long)m * n * k >= SplitGemm.MinimumMultiplyAdds;

    private void Prepare(float* w, float* h, float* dy, float* dh, float* x, int batch, int inFeatures, int hiddenFeatures, int outFeatures,
        ActivationLayout inputLayout, int shards)
    {
        _batch = batch;
        _inFeatures = inFeatures;
        _hiddenFeatures = hiddenFeatures;
        _outFeatures = outFeatures;
        _hiddenAdjoint = dh;
        _upperAdjoint = dy;
        // The upper layer's input adjoint, δhᵀ = Wᵀ·δᵀ: W's columns as rows, δ's feature rows as the k side.
        int* hiddenUnit = Affine(ref _hiddenUnit, hiddenFeatures, 1), batchUnit = Affine(ref _batchUnit, batch, 1);
        int* upperByBatch = Affine(ref _upperByBatch, outFeatures, batch), hiddenByBatch = Affine(ref _hiddenByBatch, hiddenFeatures, batch);
        _weightT = new OffsetMatrix(w, hiddenUnit, Affine(ref _upperByHidden, outFeatures, hiddenFeatures), columnStride: hiddenFeatures);
        _adjointT = new OffsetMatrix(dy, upperByBatch, batchUnit, columnStride: 1);
        // The first layer's weight gradient, δh·X: δh's feature rows in place, X by samples (or its feature rows turned).
        _hiddenAdjointRows = new OffsetMatrix(dh, hiddenByBatch, batchUnit, columnStride: 1);
        _input = inputLayout == ActivationLayout.FeatureMajor
            ? new OffsetMatrix(x, Affine(ref _inputRows, batch, 1), Affine(ref _inputColumns, inFeatures, batch), columnStride: batch)
            : new OffsetMatrix(x, Affine(ref _inputRows, batch, inFeatures), Affine(ref _inputColumns, inFeatures, 1), columnStride: 1);
        // The upper layer's weight gradient, δ·hᵀ: δ's feature rows in place, h's feature rows turned.
        _adjointRows = new OffsetMatrix(dy, upperByBatch, batchUnit, columnStride: 1);
        _hiddenT = new OffsetMatrix(h, batchUnit, hiddenByBatch, columnStride: batch);

        if (_balance is null || _balance.MaxShards < shards)
        {
            _balance = new SplitBalance(shards);
            _hiddenStarts = new int[shards + 1];
            _upperStarts = new int[shards + 1];
            _finished = new long[shards];
            _partArrays = new float[]?[shards];
            _parts = new nint[shards];
        }
        _shards = shards;
        _mirror = InputMirror.Current;
    }

    private void Run(WorkerPool pool, int shards)
    {
        // One pace per shape of the pair, for the hidden rows; the upper rows are cut evenly (see the summary).
        long key = (((long)_inFeatures * 1_000_003 + _hiddenFeatures) * 1_000_033 + _outFeatures) * 4099 + _batch;
        var entry = _balance!.Entry(key, shards);
        int hiddenTiles = Tiles(_hiddenFeatures), upperTiles = Tiles(_outFeatures);
        _balance.Cut(entry, hiddenTiles, shards, _hiddenStarts);
        for (var s = 0; s <= shards; s++)
            _upperStarts[s] = (int)((long)upperTiles * s / shards);
        Volatile.Write(ref _partsDone, 0);
        var dispatched = SplitBalance.Now();
        try
        {
            using (KernelThreads.Suspend())
                pool.Run(this, shards);
        }
        finally
        {
            _derivative = _firstFinish = _upperFinish = _headFinish = null;
            _mirror = null;
        }
        Span<long> elapsed = stackalloc long[shards];
        for (var s = 0; s < shards; s++)
            elapsed[s] = _finished[s] - dispatched;
        _balance.Record(entry, shards, _hiddenStarts, elapsed);
    }

    /// <inheritdoc/>
    public void RunShard(int shard)
    {
        int first = Math.Min(_hiddenFeatures, _hiddenStarts[shard] * GemmMicroKernel.Rows);
        int end = Math.Min(_hiddenFeatures, _hiddenStarts[shard + 1] * GemmMicroKernel.Rows);
        int upperFirst = Math.Min(_outFeatures, _upperStarts[shard] * GemmMicroKernel.Rows);
        int upperEnd = Math.Min(_outFeatures, _upperStarts[shard + 1] * GemmMicroKernel.Rows);
        PackedGemm.Reserve(_hiddenFeatures, _batch, _outFeatures);
        PackedGemm.Reserve(_hiddenFeatures, _inFeatures, _batch);
        PackedGemm.Reserve(_outFeatures, _hiddenFeatures, _batch);
        int cells = _hiddenFeatures * _batch;
        try
        {
            // 0. With a head above: this shard's rows of δ, the head's input adjoint, and of the head's gradient.
            if (_head.Weight != null && upperEnd > upperFirst)
                RunHeadRows(upperFirst, upperEnd);

            // 1. This shard's part of the hidden adjoint, from its own rows of W and δ.
            float* part = GemmWorkspace.Grow(ref _partArrays[shard], cells);
            _parts[shard] = (nint)part;
            if (upperEnd > upperFirst)
                PackedGemm.Multiply(Operand(_weightT, shard).FromColumn(upperFirst), Operand(_adjointT, shard).FromRow(upperFirst), part, _batch,
                    _hiddenFeatures, _batch, upperEnd - upperFirst, accumulate: false);
            else
                new Span<float>(part, cells).Clear();
        }
        finally
        {
            // Counted even when it failed, so the others do not wait forever; the pool rethrows the failure.
            Interlocked.Increment(ref _partsDone);
        }

        // 2. The upper layer's rows: step 1 was the last read of them.
        PackedGemm.Multiply(Operand(_adjointRows, shard).FromRow(upperFirst), Operand(_hiddenT, shard), _upperTarget + (long)upperFirst * _hiddenFeatures,
            _hiddenFeatures, upperEnd - upperFirst, _hiddenFeatures, _batch, _upperAccumulate, _upperScale, _upperWatched ? FiniteWatch.Current : null);
        _upperFinish?.Finish(upperFirst, upperEnd);

        // 3. Rows [first, end) of δh once every part is in, carried back through the hidden activation.
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _partsDone) < _shards)
            spinner.SpinOnce(sleep1Threshold: -1);
        SumParts(first, end);
        _derivative?.Finish(first, end);

        // 4. The same rows of the first layer's weight gradient (or its update), from the rows of δh just made.
        PackedGemm.Multiply(Operand(_hiddenAdjointRows, shard).FromRow(first), Operand(_input, shard), _firstTarget + (long)first * _inFeatures,
            _inFeatures, end - first, _inFeatures, _batch, _firstAccumulate, _firstScale, _firstWatched ? FiniteWatch.Current : null);
        _firstFinish?.Finish(first, end);
        _finished[shard] = SplitBalance.Now();
    }

    // The head's backward pass over upper rows [first, end), in the head's own backward call's arithmetic: δ = w·dy
    // (Gemm.Multiply with k = 1, as SmallProductSplit runs it) through the activation, then dw = dy·hᵀ (one dot product
    // per row, added to a cleared row when overwriting), then the update of those weights, read for the last time.
    private void RunHeadRows(int first, int end)
    {
        int count = end - first, cells = checked(count * _batch);
        long start = (long)first * _batch;
        var rows = new Span<float>(_upperAdjoint + start, cells);
        var headAdjoint = new ReadOnlySpan<float>(_head.OutputAdjoint, _batch);
        Gemm.Multiply(new ReadOnlySpan<float>(_head.Weight + first, count), 1, _outFeatures, headAdjoint, rows, count, _batch, 1, accumulate: false);
        var input = new ReadOnlySpan<float>(_head.Input + start, cells);
        ActivationDerivative.Apply(_head.Activation, _head.Slope, input, rows);
        var gradient = new Span<float>(_head.WeightGradient + first, count);
        if (_overwrite)
            gradient.Clear();
        Gemm.MultiplyByTransposed(headAdjoint, input, gradient, 1, count, _batch, accumulate: true);
        _headFinish?.Finish(first, end);
    }

    // OneOutputHead's spans as the shards read them (pinned for the dispatch); Weight is null without a head.
    private readonly struct HeadRows(float* weight, float* input, float* outputAdjoint, float* weightGradient,
        ActivationEpilogue activation, float slope)
    {
        public readonly float* Weight = weight, Input = input, OutputAdjoint = outputAdjoint, WeightGradient = weightGradient;
        public readonly ActivationEpilogue Activation = activation;
        public readonly float Slope = slope;
    }

    // δh rows [first, end) = P₀ + P₁ + … in shard order, whichever shard sums them.
    private void SumParts(int first, int end)
    {
        long start = (long)first * _batch;
        int count = checked((end - first) * _batch);
        var rows = new Span<float>(_hiddenAdjoint + start, count);
        new ReadOnlySpan<float>((float*)_parts[0] + start, count).CopyTo(rows);
        for (var s = 1; s < _shards; s++)
            VectorMath.Add(new ReadOnlySpan<float>((float*)_parts[s] + start, count), rows);
    }

    private static int Tiles(int rows) => (rows + GemmMicroKernel.Rows - 1) / GemmMicroKernel.Rows;

    // An operand as this shard reads it: its own copy of the gathered input where the operand is that input.
    private OffsetMatrix Operand(in OffsetMatrix operand, int shard) => _mirror is null ? operand : _mirror.For(operand, shard);

    private static int* Affine(ref int[]? table, int count, int stride)
    {
        int* offsets = GemmWorkspace.Grow(ref table, count);
        OffsetMatrix.Affine(offsets, count, stride);
        return offsets;
    }
}
