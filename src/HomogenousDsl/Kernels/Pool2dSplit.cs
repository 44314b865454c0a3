namespace HomogenousDsl.Kernels;

/// <summary>
/// Max pooling split by sample across the lent threads (argmax indices are per sample, so shares are independent),
/// cut by the threads' paces.
/// </summary>
internal static unsafe class Pool2dSplit
{
    public static bool TryMaxForward(ReadOnlySpan<float> input, Span<float> output, Span<int> argmax, int batch, Pool2dShape shape)
    {
        int shards = SampleSplit.Shards(batch, shape.InputSize);
        if (shards < 2)
            return false;
        fixed (float* x = input, y = output)
        fixed (int* at = argmax)
            Work.Current.Start(x, y, at, null, batch, shards, shape, forward: true, ActivationEpilogue.None, 0f);
        return true;
    }

    public static bool TryMaxBackward(ReadOnlySpan<float> outputAdjoint, ReadOnlySpan<int> argmax, ReadOnlySpan<float> output, Span<float> inputAdjoint,
        int batch, Pool2dShape shape, ActivationEpilogue activation, float slope)
    {
        int shards = SampleSplit.Shards(batch, shape.InputSize);
        if (shards < 2)
            return false;
        fixed (float* dy = outputAdjoint, y = output, dx = inputAdjoint)
        fixed (int* at = argmax)
            Work.Current.Start(dx, dy, at, y, batch, shards, shape, forward: false, activation, slope);
        return true;
    }

    /// <summary>One split pooling call; for forward, Input is x and Output y; for backward, Input is dx and Output dy.</summary>
    private sealed class Work : SampleSplit
    {
        [ThreadStatic] private static Work? t_current;
        private float* _input, _output, _pooled;
        private int* _argmax;
        private Pool2dShape _shape;
        private bool _forward;
        private ActivationEpilogue _activation;
        private float _slope;

        public static Work Current => t_current ??= new Work();

        public void Start(float* input, float* output, int* argmax, float* pooled, int batch, int shards, in Pool2dShape shape,
            bool forward, ActivationEpilogue activation, float slope)
        {
            _input = input; _output = output; _argmax = argmax; _pooled = pooled; _shape = shape;
            _forward = forward; _activation = activation; _slope = slope;
            Execute(batch, shards, PaceKey(forward ? 3 : 4, shape.InputSize, shape.OutputSize, batch));
        }

        protected override void Run(int shard, int first, int count)
        {
            int inSize = _shape.InputSize, outSize = _shape.OutputSize;
            var at = new Span<int>(_argmax + (long)first * outSize, count * outSize);
            var input = new Span<float>(_input + (long)first * inSize, count * inSize);
            var output = new Span<float>(_output + (long)first * outSize, count * outSize);
            if (_forward)
                Pool2dKernel.MaxForwardCore(input, output, at, count, _shape);
            else
                Pool2dKernel.MaxBackwardCore(output, at, new ReadOnlySpan<float>(_pooled + (long)first * outSize, count * outSize), input, count, _shape, _activation, _slope);
        }
    }
}
