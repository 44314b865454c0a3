namespace HomogenousDsl.Kernels;

/// <summary>
/// Convolutions split by sample across the lent threads: forward and input adjoint write disjoint samples; each thread
/// after the first sums its samples' weight gradient into a buffer of its own, added to the first thread's in thread
/// order afterwards (a fixed order: bit-identical runs for a given thread count). Only shapes whose per-thread share
/// still takes the packed or direct paths are split, since the per-sample fallback uses the shared scratch. Forward
/// passes and input adjoints are cut by the threads' paces where their path is the same for one sample as for the
/// whole batch (each sample then comes out the same in any share); the weight gradient keeps the equal cut, and the
/// input adjoint's paced cut takes up what the two cores' difference costs there.
/// </summary>
internal static unsafe class Conv2dSplit
{
    /// <summary>Runs <see cref="Conv2dKernel.ForwardCore"/> split by sample and returns true, or returns false to run it here.</summary>
    public static bool TryForward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, in Conv2dShape shape, Span<float> scratch, ActivationEpilogue activation, float slope)
    {
        int shards = ForwardShards(batch, shape);
        if (shards < 2)
            return false;
        fixed (float* w = weight, b = bias, x = input, y = output, s = scratch)
            ForwardWork.Current.Start(w, weight.Length, b, bias.Length, x, y, s, scratch.Length, batch, shards, shape, activation, slope);
        return true;
    }

    /// <summary>Runs <see cref="Conv2dKernel.BackwardCore"/> split by sample and returns true, or returns false to run it here.</summary>
    public static bool TryBackward(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        Span<float> biasGradient, Span<float> inputAdjoint, int batch, in Conv2dShape shape, Span<float> scratch, GradientWrite write)
    {
        if (!biasGradient.IsEmpty)
            return false;
        int shards = BackwardShards(batch, shape, !inputAdjoint.IsEmpty);
        if (shards < 2)
            return false;
        fixed (float* w = weight, x = input, dy = outputAdjoint, dw = weightGradient, dx = inputAdjoint, s = scratch)
            BackwardWork.Current.Start(w, weight.Length, x, dy, dw, dx, inputAdjoint.IsEmpty, s, scratch.Length, batch, shards, shape, write);
        return true;
    }

    private sealed class ForwardWork : SampleSplit
    {
        [ThreadStatic] private static ForwardWork? t_current;
        private float* _w, _b, _x, _y, _scratch;
        private int _weightLength, _biasLength, _scratchLength;
        private Conv2dShape _shape;
        private ActivationEpilogue _activation;
        private float _slope;

        public static ForwardWork Current => t_current ??= new ForwardWork();

        public void Start(float* w, int weightLength, float* b, int biasLength, float* x, float* y, float* scratch, int scratchLength,
            int batch, int shards, in Conv2dShape shape, ActivationEpilogue activation, float slope)
        {
            _w = w; _weightLength = weightLength; _b = b; _biasLength = biasLength; _x = x; _y = y;
            _scratch = scratch; _scratchLength = scratchLength; _shape = shape; _activation = activation; _slope = slope;
            Execute(batch, shards, ForwardPaces(batch, shape) ? PaceKey(1, shape.InputSize, shape.OutputSize, batch) : 0);
        }

        protected override void Run(int shard, int first, int count)
            => Conv2dKernel.ForwardCore(new ReadOnlySpan<float>(_w, _weightLength), new ReadOnlySpan<float>(_b, _biasLength),
                new ReadOnlySpan<float>(_x + (long)first * _shape.InputSize, count * _shape.InputSize),
                new Span<float>(_y + (long)first * _shape.OutputSize, count * _shape.OutputSize), count, _shape,
                new Span<float>(_scratch, _scratchLength), _activation, _slope);
    }

    private sealed class BackwardWork : SampleSplit
    {
        [ThreadStatic] private static BackwardWork? t_current;
        private float* _w, _x, _dy, _dw, _dx, _scratch;
        private int _weightLength, _scratchLength;
        private bool _noInputAdjoint;
        private Conv2dShape _shape;
        private GradientWrite _write;
        public const int MaxThreads = 64;
        private readonly nint[] _partials = new nint[MaxThreads];

        public static BackwardWork Current => t_current ??= new BackwardWork();

        public void Start(float* w, int weightLength, float* x, float* dy, float* dw, float* dx, bool noInputAdjoint, float* scratch, int scratchLength,
            int batch, int shards, in Conv2dShape shape, GradientWrite write)
        {
            _w = w; _weightLength = weightLength; _x = x; _dy = dy; _dw = dw; _dx = dx; _noInputAdjoint = noInputAdjoint;
            _scratch = scratch; _scratchLength = scratchLength; _shape = shape; _write = write;
            bool paced = !noInputAdjoint && InputAdjointPaces(shape);
            Execute(batch, shards, paced ? PaceKey(2, shape.InputSize, shape.OutputSize, batch) : 0);
            // The other threads' weight gradients, added in thread order.
            var total = new Span<float>(dw, shape.WeightSize);
            for (int t = 1; t < shards; t++)
                VectorMath.Add(new ReadOnlySpan<float>((float*)_partials[t], shape.WeightSize), total);
        }

        protected override void Run(int shard, int first, int count)
        {
            float* dw = _dw;
            var write = _write;
            if (shard > 0)
            {
                dw = GemmWorkspace.Current.Floats(FloatSlot.Partial, _shape.WeightSize);
                _partials[shard] = (nint)dw;
                write = GradientWrite.Overwrite;
            }
            // The weight gradient over the equal share, whatever this call's cut: its sum's order never moves.
            var (even, evenCount) = EvenShare(shard);
            bool together = even == first && evenCount == count;
            Conv2dKernel.BackwardCore(new ReadOnlySpan<float>(_w, _weightLength),
                new ReadOnlySpan<float>(_x + (long)even * _shape.InputSize, evenCount * _shape.InputSize),
                new ReadOnlySpan<float>(_dy + (long)even * _shape.OutputSize, evenCount * _shape.OutputSize),
                new Span<float>(dw, _shape.WeightSize), Span<float>.Empty,
                _noInputAdjoint || !together ? Span<float>.Empty : new Span<float>(_dx + (long)first * _shape.InputSize, count * _shape.InputSize),
                evenCount, _shape, new Span<float>(_scratch, _scratchLength), write);
            if (!_noInputAdjoint && !together)
                ConvPlanes.InputAdjoint(new ReadOnlySpan<float>(_w, _weightLength),
                    new ReadOnlySpan<float>(_dy + (long)first * _shape.OutputSize, count * _shape.OutputSize),
                    new Span<float>(_dx + (long)first * _shape.InputSize, count * _shape.InputSize), count, _shape);
        }
    }

    /// <summary>
    /// Whether <see cref="Conv2dKernel.ForwardCore"/> takes one path for any share of the batch: the direct path from one
    /// sample up, or the shifted planes for every share. Neither path's buffers grow with the share.
    /// </summary>
    internal static bool ForwardPaces(int batch, in Conv2dShape s)
        => ConvDirect.IsWorthwhile(1, s)
            || (!ConvDirect.IsWorthwhile(batch, s) && ConvPlanes.Applies(s) && PackedGemm.IsWorthwhile(s.OutChannels, s.OutPixels, s.PatchSize));

    /// <summary>Whether <see cref="Conv2dKernel.BackwardCore"/> takes the shifted planes for the input adjoint of any share.</summary>
    internal static bool InputAdjointPaces(in Conv2dShape s)
    {
        if (!ConvGemm.AdjointIsConvolution(s))
            return false;
        var adjoint = ConvGemm.AdjointShape(s);
        return ConvPlanes.Applies(adjoint) && PackedGemm.IsWorthwhile(s.InChannels, s.InHeight * s.InWidth, adjoint.PatchSize);
    }

    // Threads, if every share still takes a path that leaves the shared scratch alone.
    private static int ForwardShards(int batch, in Conv2dShape s)
    {
        int shards = SampleSplit.Shards(batch, (long)s.OutPixels * s.OutChannels * s.PatchSize);
        int share = batch / shards;
        bool scratchFree = ConvDirect.IsWorthwhile(share, s) || PackedGemm.IsWorthwhile(s.OutChannels, share * s.OutPixels, s.PatchSize);
        return scratchFree ? shards : 1;
    }

    private static int BackwardShards(int batch, in Conv2dShape s, bool inputAdjoint)
    {
        int shards = SampleSplit.Shards(batch, 2L * s.OutPixels * s.OutChannels * s.PatchSize);
        int share = batch / shards;
        bool weightFree = ConvDirect.IsWorthwhile(share, s) || PackedGemm.IsWorthwhile(s.PatchSize, s.OutChannels, share * s.OutPixels);
        bool inputFree = !inputAdjoint || (ConvGemm.AdjointIsConvolution(s)
            && PackedGemm.IsWorthwhile(s.InChannels, share * s.InHeight * s.InWidth, ConvGemm.AdjointShape(s).PatchSize));
        return weightFree && inputFree ? Math.Min(shards, BackwardWork.MaxThreads) : 1;
    }
}
