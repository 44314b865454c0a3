using System.Runtime.Intrinsics;
using HomogenousDsl.Parallelism;

namespace HomogenousDsl.Kernels;

/// <summary>
/// The three products of a dense layer on the packed GEMM. Forward computes Yᵀ = W·Xᵀ (the weights read in place);
/// dW = dYᵀ·X; dX = dY·W, or dXᵀ = Wᵀ·dYᵀ for a feature-major input. With batch-major activations, Xᵀ and dYᵀ are
/// packed by transposing and the forward product is transposed back; with feature-major activations (between dense
/// layers) only X in dW is, so a layer does one transpose instead of three. Callers have validated sizes.
/// </summary>
internal static unsafe class DenseGemm
{
    /// <summary>Samples per forward product when the batch is much larger than a training batch.</summary>
    public const int ForwardChunk = 512;

    /// <summary>
    /// Samples per forward product for a batch: a big batch (full-data evaluation) goes in chunks so the product stays
    /// in cache for the epilogue; training batches go whole, so the weights are packed once.
    /// </summary>
    public static int ForwardChunkFor(int batch) => batch > 2 * ForwardChunk ? ForwardChunk : batch;

    /// <summary>
    /// output = act(bias (or 0) + W·input) per sample: a batch-major output is transposed back from the product (act
    /// applied as it is), a feature-major one is the product itself, finished row by row where a bias or act applies.
    /// </summary>
    public static void Forward<TOp>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, float slope, ActivationLayout inputLayout, ActivationLayout outputLayout) where TOp : IUnaryOperator
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int chunk = ForwardChunkFor(batch);
        bool featureMajorIn = inputLayout == ActivationLayout.FeatureMajor, featureMajorOut = outputLayout == ActivationLayout.FeatureMajor;
        bool samplesAsRows = SamplesAsRows(inputLayout, outputLayout, chunk, outFeatures);
        float* product = featureMajorOut && !samplesAsRows ? null : ws.Floats(FloatSlot.Product, (long)outFeatures * chunk);
        fixed (float* w = weight, x = input, y = output, bp = bias)
        {
            if (samplesAsRows)
            {
                ForwardSamplesAsRows<TOp>(w, bias.IsEmpty ? null : bp, x, y, product, batch, chunk, inFeatures, outFeatures, slope);
                return;
            }
            var a = new OffsetMatrix(w, Affine(ws, IntSlot.ARows, outFeatures, inFeatures), Affine(ws, IntSlot.AColumns, inFeatures, 1), columnStride: 1);
            // B = Xᵀ: rows of a feature-major input as they are, or the columns of a batch-major one.
            int sampleStride = featureMajorIn ? 1 : inFeatures;
            int* rows = Affine(ws, IntSlot.BRows, inFeatures, featureMajorIn ? batch : 1), columns = Affine(ws, IntSlot.BColumns, chunk, sampleStride);
            float* biasPointer = bias.IsEmpty ? null : bp;
            for (int b0 = 0; b0 < batch; b0 += chunk)
            {
                int n = Math.Min(chunk, batch - b0);
                var b = new OffsetMatrix(x + (long)b0 * sampleStride, rows, columns, columnStride: sampleStride);
                // Split over threads by output feature: each thread finishes the rows it computed.
                if (featureMajorOut)
                {
                    ISplitEpilogue? finish = biasPointer == null && typeof(TOp) == typeof(Epilogue.None)
                        ? null : ForwardStore<TOp>.InPlace(y + b0, batch, n, biasPointer, slope);
                    if (!SplitGemm.TryRun(a, b, y + b0, batch, outFeatures, n, inFeatures, accumulate: false, SplitAxis.Rows, finish))
                    {
                        PackedGemm.Multiply(a, b, y + b0, batch, outFeatures, n, inFeatures, accumulate: false);
                        finish?.Finish(0, outFeatures);
                    }
                    continue;
                }
                var store = ForwardStore<TOp>.Transposing(product, n, outFeatures, biasPointer, y + (long)b0 * outFeatures, slope);
                if (SplitGemm.TryRun(a, b, product, n, outFeatures, n, inFeatures, accumulate: false, SplitAxis.Rows, store))
                    continue;
                PackedGemm.Multiply(a, b, product, n, outFeatures, n, inFeatures, accumulate: false);
                store.Finish(0, outFeatures);
            }
        }
    }

    /// <summary>
    /// True for a long run of batch-major samples into a feature-major output (the first layer of a whole-set
    /// evaluation, 512 samples a call): there the product W·Xᵀ packs Xᵀ as its B side by transposing every input row
    /// of a set read from memory (W5: 7% of the evaluation). Turned around, the sample rows are the tile's broadcast
    /// side, read in place with the next tile prefetched while one computes; Wᵀ is packed once per call (once per pass
    /// where the caller holds the weights: <see cref="HeldPackedWeights"/>) and the product transposed into the output
    /// (together 5–6%). Each output is the same chain of fused multiply-adds in the
    /// same k blocks either way, so the bits do not change. Only where the chunk has at least as many samples as W has
    /// rows (not a training batch through a wider layer, where W is the larger operand to pack), not for split kernels,
    /// whose shares are output rows, and on 512-bit hardware only, where it was measured.
    /// </summary>
    internal static bool SamplesAsRows(ActivationLayout inputLayout, ActivationLayout outputLayout, int chunk, int outFeatures)
        => inputLayout == ActivationLayout.BatchMajor && outputLayout == ActivationLayout.FeatureMajor
           && Vector512.IsHardwareAccelerated && outFeatures >= GemmMicroKernel.Columns
           && chunk >= SamplesAsRowsFactor * outFeatures && KernelThreads.Current is null;

    // Samples per output feature from which the product is turned around: W5's 512-sample calls on one thread (+2%) and,
    // since the fused update's round, its two-thread pieces of 256 samples through 256 features too (+1.4% median over
    // five alternating pairs; a factor of 2 kept them on the transposing path, measured neutral on the Zen 4 host).
    private const int SamplesAsRowsFactor = 1;

    // Yᵀ (samples × outputs) = X·Wᵀ per chunk into the product buffer, then transposed into y's feature rows with the
    // bias and activation (in the order the other path applies them: bias, then act).
    private static void ForwardSamplesAsRows<TOp>(float* w, float* bias, float* x, float* y, float* product,
        int batch, int chunk, int inFeatures, int outFeatures, float slope) where TOp : IUnaryOperator
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        var wt = new OffsetMatrix(w, Affine(ws, IntSlot.BRows, inFeatures, 1), Affine(ws, IntSlot.BColumns, outFeatures, inFeatures), columnStride: inFeatures);
        int* rows = Affine(ws, IntSlot.ARows, chunk, inFeatures), columns = Affine(ws, IntSlot.AColumns, inFeatures, 1);
        // Packed once for a whole-set pass whose caller holds the weights fixed; otherwise once per call.
        float* packedWt = HeldPackedWeights.Find(wt, w, outFeatures, inFeatures);
        for (int b0 = 0; b0 < batch; b0 += chunk)
        {
            int n = Math.Min(chunk, batch - b0);
            var samples = new OffsetMatrix(x + (long)b0 * inFeatures, rows, columns, columnStride: 1);
            PackedGemm.Multiply(samples, wt, product, outFeatures, n, outFeatures, inFeatures, accumulate: false, wholeB: packedWt, aStreams: true);
            if (bias == null)
            {
                Transpose.AddBias<TOp>(product, outFeatures, n, null, y + b0, batch, slope, alongDestination: true);
                continue;
            }
            Transpose.AddBias<Epilogue.None>(product, outFeatures, n, null, y + b0, batch, 0f, alongDestination: true);
            for (int o = 0; o < outFeatures; o++)
                FeatureRows.Finish<TOp>(new Span<float>(y + (long)o * batch + b0, n), bias[o], hasBias: true, slope);
        }
    }

    /// <summary>
    /// weightGradient[o, i] (+)= Σ_b dy(b, o)·input(b, i), each operand in its layout; then <paramref name="finished"/>
    /// over the rows, split: on the thread that computed them, as it finishes them. With a <paramref name="scale"/> and
    /// <paramref name="watched"/>, a fused update instead: weightGradient is the weights, and W += scale·dW (see
    /// <see cref="PackedGemm.Multiply"/>); <paramref name="finished"/> then reads <see cref="FiniteWatch"/>.
    /// </summary>
    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, int inFeatures, int outFeatures, bool accumulate, ActivationLayout inputLayout, ActivationLayout outputLayout,
        ISplitEpilogue? finished = null, float scale = 1f, bool watched = false)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        fixed (float* x = input, dy = outputAdjoint, dw = weightGradient)
        {
            // A = dYᵀ: a feature-major adjoint is read in place; a batch-major one packs by transposing.
            var a = outputLayout == ActivationLayout.FeatureMajor
                ? new OffsetMatrix(dy, Affine(ws, IntSlot.ARows, outFeatures, batch), Affine(ws, IntSlot.AColumns, batch, 1), columnStride: 1)
                : new OffsetMatrix(dy, Affine(ws, IntSlot.ARows, outFeatures, 1), Affine(ws, IntSlot.AColumns, batch, outFeatures), columnStride: outFeatures);
            // B = X: rows of a batch-major input, or a feature-major one packed by 16 × 16 transposes.
            var b = inputLayout == ActivationLayout.FeatureMajor
                ? new OffsetMatrix(x, Affine(ws, IntSlot.BRows, batch, 1), Affine(ws, IntSlot.BColumns, inFeatures, batch), columnStride: batch)
                : new OffsetMatrix(x, Affine(ws, IntSlot.BRows, batch, inFeatures), Affine(ws, IntSlot.BColumns, inFeatures, 1), columnStride: 1);
            // Split by output feature, the rows the same thread computed in the forward pass and will update.
            if (SplitGemm.TryRun(a, b, dw, inFeatures, outFeatures, inFeatures, batch, accumulate, SplitAxis.Rows, finished, scale, watched))
                return;
            PackedGemm.Multiply(a, b, dw, inFeatures, outFeatures, inFeatures, batch, accumulate, scale, watched ? FiniteWatch.Current : null);
            finished?.Finish(0, outFeatures);
        }
    }

    /// <summary>
    /// inputAdjoint = dy·W per sample, in the input's layout, carried back through <paramref name="inputActivation"/> (see
    /// <see cref="ActivationDerivative"/>) by each thread over the part it computed. Batch-major: dX = dY·W, W the packed
    /// B operand. Feature-major: dXᵀ = Wᵀ·dYᵀ, W's columns packed as k-major A tiles by plain copies and the adjoint's
    /// rows as B panels.
    /// </summary>
    public static void InputAdjoint(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> inputAdjoint,
        int batch, int inFeatures, int outFeatures, ActivationLayout inputLayout, ActivationLayout outputLayout,
        ActivationEpilogue inputActivation = ActivationEpilogue.None, float slope = 0f)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        bool featureMajorOut = outputLayout == ActivationLayout.FeatureMajor;
        fixed (float* w = weight, x = input, dy = outputAdjoint, dx = inputAdjoint)
        {
            if (inputLayout == ActivationLayout.FeatureMajor)
            {
                var wt = new OffsetMatrix(w, Affine(ws, IntSlot.ARows, inFeatures, 1), Affine(ws, IntSlot.AColumns, outFeatures, inFeatures), columnStride: inFeatures);
                var dyt = featureMajorOut
                    ? new OffsetMatrix(dy, Affine(ws, IntSlot.BRows, outFeatures, batch), Affine(ws, IntSlot.BColumns, batch, 1), columnStride: 1)
                    : new OffsetMatrix(dy, Affine(ws, IntSlot.BRows, outFeatures, 1), Affine(ws, IntSlot.BColumns, batch, outFeatures), columnStride: outFeatures);
                var rows = ActivationDerivative.For(inputActivation, slope, x, dx, inFeatures, batch, byColumn: false);
                // Split by input feature: each thread packs only its columns of W.
                if (!SplitGemm.TryRun(wt, dyt, dx, batch, inFeatures, batch, outFeatures, accumulate: false, SplitAxis.Rows, rows))
                {
                    PackedGemm.Multiply(wt, dyt, dx, batch, inFeatures, batch, outFeatures, accumulate: false);
                    rows?.Finish(0, inFeatures);
                }
                return;
            }
            var a = featureMajorOut
                ? new OffsetMatrix(dy, Affine(ws, IntSlot.ARows, batch, 1), Affine(ws, IntSlot.AColumns, outFeatures, batch), columnStride: batch)
                : new OffsetMatrix(dy, Affine(ws, IntSlot.ARows, batch, outFeatures), Affine(ws, IntSlot.AColumns, outFeatures, 1), columnStride: 1);
            var b = new OffsetMatrix(w, Affine(ws, IntSlot.BRows, outFeatures, inFeatures), Affine(ws, IntSlot.BColumns, inFeatures, 1), columnStride: 1);
            var columns = ActivationDerivative.For(inputActivation, slope, x, dx, batch, inFeatures, byColumn: true);
            // Split by input feature: each thread packs only its columns of W (the batch side is small).
            if (!SplitGemm.TryRun(a, b, dx, inFeatures, batch, inFeatures, outFeatures, accumulate: false, SplitAxis.Columns, columns))
            {
                PackedGemm.Multiply(a, b, dx, inFeatures, batch, inFeatures, outFeatures, accumulate: false);
                columns?.Finish(0, inFeatures);
            }
        }
    }

    /// <summary>
    /// Finishes rows [first, end) of the [out × n] product: in place (a feature-major output is the product; bias and
    /// activation per row), or transposed into columns of a batch-major y with bias and activation applied on the way.
    /// </summary>
    private sealed class ForwardStore<TOp> : ISplitEpilogue where TOp : IUnaryOperator
    {
        private float* _product, _bias, _y;
        private int _productStride, _n, _outFeatures;
        private float _slope;

        // Reused per thread so the forward pass allocates nothing.
        [ThreadStatic] private static ForwardStore<TOp>? t_instance;

        private ForwardStore() { }

        /// <summary>A store into batch-major y from a compact product (row stride n).</summary>
        public static ForwardStore<TOp> Transposing(float* product, int n, int outFeatures, float* bias, float* y, float slope)
            => Create(product, n, n, outFeatures, bias, y, slope);

        /// <summary>A store that finishes the feature-major output (row stride ldy) where it lies.</summary>
        public static ForwardStore<TOp> InPlace(float* output, int ldy, int n, float* bias, float slope)
            => Create(output, ldy, n, 0, bias, null, slope);

        private static ForwardStore<TOp> Create(float* product, int productStride, int n, int outFeatures, float* bias, float* y, float slope)
        {
            var store = t_instance ??= new ForwardStore<TOp>();
            store._product = product;
            store._productStride = productStride;
            store._n = n;
            store._outFeatures = outFeatures;
            store._bias = bias;
            store._y = y;
            store._slope = slope;
            return store;
        }

        public void Finish(int first, int end)
        {
            if (_y != null)
            {
                Transpose.AddBias<TOp>(_product + (long)first * _n, _n, end - first, _bias == null ? null : _bias + first, _y + first, _outFeatures, _slope);
                return;
            }
            for (int o = first; o < end; o++)
                FeatureRows.Finish<TOp>(new Span<float>(_product + (long)o * _productStride, _n), _bias == null ? 0f : _bias[o], _bias != null, _slope);
        }
    }

    private static int* Affine(GemmWorkspace ws, IntSlot slot, int count, int stride)
    {
        int* offsets = ws.Ints(slot, count);
        OffsetMatrix.Affine(offsets, count, stride);
        return offsets;
    }
}
