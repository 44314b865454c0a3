namespace HomogenousDsl.Kernels;

/// <summary>
/// The three products of a dense layer on the packed GEMM, each oriented so the operand packed element by element
/// (a transpose) is the one reused most: forward computes Yᵀ = W·Xᵀ (transposing the batch, not the weights) and
/// transposes the small product back; dW = dYᵀ·X and dX = dY·W read their B operands as contiguous rows.
/// Callers have validated sizes.
/// </summary>
internal static unsafe class DenseGemm
{
    /// <summary>Samples per forward product when the batch is much larger than a training batch.</summary>
    public const int ForwardChunk = 512;

    /// <summary>output[b, o] = act(bias[o] (or 0) + Σ_i weight[o, i]·input[b, i]), act applied while transposing back.</summary>
    public static void Forward<TOp>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, int inFeatures, int outFeatures, float slope) where TOp : IUnaryOperator
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        // A big batch (full-data evaluation) goes in chunks so the transposed product stays in cache for the epilogue;
        // training batches go whole, so the weights are packed once.
        int chunk = batch > 2 * ForwardChunk ? ForwardChunk : batch;
        float* product = ws.Floats(FloatSlot.Product, (long)outFeatures * chunk);
        fixed (float* w = weight, x = input, y = output, bp = bias)
        {
            var a = new OffsetMatrix(w, Affine(ws, IntSlot.ARows, outFeatures, inFeatures), Affine(ws, IntSlot.AColumns, inFeatures, 1), columnStride: 1);
            int* rows = Affine(ws, IntSlot.BRows, inFeatures, 1), columns = Affine(ws, IntSlot.BColumns, chunk, inFeatures);
            for (int b0 = 0; b0 < batch; b0 += chunk)
            {
                int n = Math.Min(chunk, batch - b0);
                var b = new OffsetMatrix(x + (long)b0 * inFeatures, rows, columns, columnStride: inFeatures);
                var store = ForwardStore<TOp>.Create(product, n, outFeatures, bias.IsEmpty ? null : bp, y + (long)b0 * outFeatures, slope);
                // Split over threads by output feature: each thread transposes back the rows it computed.
                if (SplitGemm.TryRun(a, b, product, n, outFeatures, n, inFeatures, accumulate: false, SplitAxis.Rows, store))
                    continue;
                PackedGemm.Multiply(a, b, product, n, outFeatures, n, inFeatures, accumulate: false);
                store.Finish(0, outFeatures);
            }
        }
    }

    /// <summary>weightGradient[o, i] (+)= Σ_b dy[b, o]·input[b, i].</summary>
    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, int inFeatures, int outFeatures, bool accumulate)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        fixed (float* x = input, dy = outputAdjoint, dw = weightGradient)
        {
            var a = new OffsetMatrix(dy, Affine(ws, IntSlot.ARows, outFeatures, 1), Affine(ws, IntSlot.AColumns, batch, outFeatures), columnStride: outFeatures);
            var b = new OffsetMatrix(x, Affine(ws, IntSlot.BRows, batch, inFeatures), Affine(ws, IntSlot.BColumns, inFeatures, 1), columnStride: 1);
            // Split by output feature, the rows the same thread computed in the forward pass and will update.
            if (!SplitGemm.TryRun(a, b, dw, inFeatures, outFeatures, inFeatures, batch, accumulate, SplitAxis.Rows))
                PackedGemm.Multiply(a, b, dw, inFeatures, outFeatures, inFeatures, batch, accumulate);
        }
    }

    /// <summary>inputAdjoint[b, i] = Σ_o dy[b, o]·weight[o, i].</summary>
    public static void InputAdjoint(ReadOnlySpan<float> weight, ReadOnlySpan<float> outputAdjoint, Span<float> inputAdjoint,
        int batch, int inFeatures, int outFeatures)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        fixed (float* w = weight, dy = outputAdjoint, dx = inputAdjoint)
        {
            var a = new OffsetMatrix(dy, Affine(ws, IntSlot.ARows, batch, outFeatures), Affine(ws, IntSlot.AColumns, outFeatures, 1), columnStride: 1);
            var b = new OffsetMatrix(w, Affine(ws, IntSlot.BRows, outFeatures, inFeatures), Affine(ws, IntSlot.BColumns, inFeatures, 1), columnStride: 1);
            // Split by input feature: each thread packs only its columns of W (the batch side is small).
            if (!SplitGemm.TryRun(a, b, dx, inFeatures, batch, inFeatures, outFeatures, accumulate: false, SplitAxis.Columns))
                PackedGemm.Multiply(a, b, dx, inFeatures, batch, inFeatures, outFeatures, accumulate: false);
        }
    }

    /// <summary>Transposes rows [first, end) of the [out × n] product into columns of y, adding bias and the activation.</summary>
    private sealed class ForwardStore<TOp> : ISplitEpilogue where TOp : IUnaryOperator
    {
        private float* _product, _bias, _y;
        private int _n, _outFeatures;
        private float _slope;

        // Reused per thread so the forward pass allocates nothing.
        [ThreadStatic] private static ForwardStore<TOp>? t_instance;

        private ForwardStore() { }

        public static ForwardStore<TOp> Create(float* product, int n, int outFeatures, float* bias, float* y, float slope)
        {
            var store = t_instance ??= new ForwardStore<TOp>();
            store._product = product;
            store._n = n;
            store._outFeatures = outFeatures;
            store._bias = bias;
            store._y = y;
            store._slope = slope;
            return store;
        }

        public void Finish(int first, int end)
            => Transpose.AddBias<TOp>(_product + (long)first * _n, _n, end - first, _bias == null ? null : _bias + first, _y + first, _outFeatures, _slope);
    }

    private static int* Affine(GemmWorkspace ws, IntSlot slot, int count, int stride)
    {
        int* offsets = ws.Ints(slot, count);
        OffsetMatrix.Affine(offsets, count, stride);
        return offsets;
    }
}
