using HomogenousDsl.Benchmarks.Workloads;
using HomogenousDsl.Kernels;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Benchmarks.Timing;

/// <summary>A dense layer to time: its sizes and the layouts the generated code gives its input and output.</summary>
public sealed record DenseLayerShape(int Batch, int InFeatures, int OutFeatures, ActivationLayout Input, ActivationLayout Output)
{
    /// <summary>Multiply-adds times two of one of the layer's three products (each is batch × in × out).</summary>
    public double FlopsPerProduct => 2.0 * Batch * InFeatures * OutFeatures;
}

/// <summary>The rate of one of a dense layer's products on a number of threads.</summary>
/// <param name="Product">forward, weight-gradient, backward (weight gradient and input adjoint), or input-adjoint.</param>
/// <param name="Threads">Threads the products were split over (1: none lent).</param>
/// <param name="Batch">Samples per call.</param>
/// <param name="InFeatures">The layer's inputs.</param>
/// <param name="OutFeatures">The layer's outputs.</param>
/// <param name="InputLayout">batch or feature (major).</param>
/// <param name="OutputLayout">batch or feature (major).</param>
/// <param name="Gflops">From the median window; for input-adjoint, derived from the two backward medians.</param>
/// <param name="AllocatedBytesPerCall">Managed bytes per call on all of the process's threads (0 when the tool runs alone); null where derived.</param>
public sealed record LayerProductResult(string Product, int Threads, int Batch, int InFeatures, int OutFeatures, string InputLayout, string OutputLayout,
    double Gflops, double? AllocatedBytesPerCall);

/// <summary>
/// Times one dense layer's products through the public kernels, alone or with a worker pool lent as the trainer lends
/// it: where a workload's step loses to the peak, this says which product of which layer does, and whether a second
/// thread scales it. The input adjoint has no call of its own (the backward call computes it with the weight
/// gradient), so its rate is derived from the backward call with and without it.
/// </summary>
public static class LayerProducts
{
    /// <summary>Times forward, weight gradient and backward on <paramref name="threads"/> threads, then derives the input adjoint.</summary>
    public static IReadOnlyList<LayerProductResult> Measure(DenseLayerShape shape, int threads, WindowOptions windows)
    {
        if (shape.Batch < 1 || shape.InFeatures < 1 || shape.OutFeatures < 1)
            throw new ArgumentException($"A layer needs a positive batch and feature counts, not {shape.Batch} × {shape.InFeatures} → {shape.OutFeatures}.", nameof(shape));
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread.");
        var operands = new Operands(shape);
        using var pool = threads > 1 ? new WorkerPool(threads) : null;
        using var lent = KernelThreads.Lend(pool);
        var forward = Time(operands.Forward, windows);
        var gradient = Time(operands.WeightGradient, windows);
        var backward = Time(operands.Backward, windows);
        // Seconds of the backward call beyond the weight gradient alone: the input adjoint's.
        var adjointSeconds = 1 / backward.Median - 1 / gradient.Median;
        return
        [
            Result("forward", forward.Median, forward.AllocatedBytesPerStep),
            Result("weight-gradient", gradient.Median, gradient.AllocatedBytesPerStep),
            Result("backward", backward.Median * 2, backward.AllocatedBytesPerStep),
            Result("input-adjoint", adjointSeconds > 0 ? 1 / adjointSeconds : double.NaN, null),
        ];

        LayerProductResult Result(string product, double productsPerSecond, double? allocated) =>
            new(product, threads, shape.Batch, shape.InFeatures, shape.OutFeatures, Name(shape.Input), Name(shape.Output),
                productsPerSecond * shape.FlopsPerProduct / 1e9, allocated);
    }

    private static string Name(ActivationLayout layout) => layout == ActivationLayout.FeatureMajor ? "feature" : "batch";

    private static WindowStats Time(Action call, WindowOptions windows)
    {
        using var runner = new CallRunner(call);
        return TimedWindows.Measure(runner, windows);
    }

    private sealed class CallRunner(Action call) : IWorkloadRunner
    {
        public void Step() => call();

        public WorkloadOutcome Outcome => new(null, null, null);

        public void Dispose() { }
    }

    /// <summary>Fixed pseudo-random operands: ReLU-like inputs, weights and adjoints of both signs.</summary>
    private sealed class Operands
    {
        private readonly DenseLayerShape _shape;
        private readonly float[] _weight, _input, _output, _outputAdjoint, _gradient, _inputAdjoint;

        public Operands(DenseLayerShape shape)
        {
            _shape = shape;
            var random = new Random(4);
            _weight = Fill(shape.OutFeatures * shape.InFeatures, () => (random.NextSingle() - 0.5f) / MathF.Sqrt(shape.InFeatures));
            _input = Fill(shape.Batch * shape.InFeatures, () => random.NextSingle());
            _outputAdjoint = Fill(shape.Batch * shape.OutFeatures, () => random.NextSingle() - 0.5f);
            _output = new float[shape.Batch * shape.OutFeatures];
            _gradient = new float[_weight.Length];
            _inputAdjoint = new float[_input.Length];
        }

        public void Forward() => DenseKernel.Forward(_weight, ReadOnlySpan<float>.Empty, _input, _output, _shape.Batch, _shape.InFeatures, _shape.OutFeatures,
            ActivationEpilogue.Relu, 0f, _shape.Input, _shape.Output);

        public void WeightGradient() => Backward(Span<float>.Empty);

        public void Backward() => Backward(_inputAdjoint);

        private void Backward(Span<float> inputAdjoint) => DenseKernel.Backward(_weight, _input, _outputAdjoint, _gradient, Span<float>.Empty, inputAdjoint,
            _shape.Batch, _shape.InFeatures, _shape.OutFeatures, GradientWrite.Overwrite, _shape.Input, _shape.Output);

        private static float[] Fill(int count, Func<float> next)
        {
            var values = new float[count];
            for (var i = 0; i < count; i++)
                values[i] = next();
            return values;
        }
    }
}
