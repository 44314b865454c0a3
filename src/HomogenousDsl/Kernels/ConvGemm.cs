using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Convolution on the packed GEMM without an im2col buffer. A group of samples is copied into zero-padded images;
/// then the im2col matrix is just an <see cref="OffsetMatrix"/> over them: row (c, kh, kw) starts at c·Hp·Wp + kh·Wp + kw,
/// column (n, oh, ow) at n·C·Hp·Wp + oh·S·Wp + ow·S, so packing copies image-row runs straight into the panels.
/// Grouping samples makes the product wide (≈1000 columns) whatever the image size.
/// Forward: Y = W·col. Weight gradient: dWᵀ = col·dYᵀ (the im2col side is the long, contiguous operand).
/// Input adjoint (stride 1, padding ≤ K−1): a forward convolution of dY with the flipped, channel-swapped kernel and
/// padding K−1−P, so no col2im scatter is needed. Callers have validated sizes.
/// </summary>
internal static unsafe class ConvGemm
{
    /// <summary>Target GEMM width (samples × output pixels) per group.</summary>
    private const int GroupColumns = 1024;

    /// <summary>True when the input adjoint can be computed as a forward convolution (see the class summary).</summary>
    public static bool AdjointIsConvolution(in Conv2dShape s) => s.Stride == 1 && s.Padding <= s.Kernel - 1;

    /// <summary>The shape of that adjoint convolution: dY (OutChannels × OutHeight × OutWidth) in, dX out.</summary>
    public static Conv2dShape AdjointShape(in Conv2dShape s)
        => new(s.OutChannels, s.OutHeight, s.OutWidth, s.InChannels, s.Kernel, 1, s.Kernel - 1 - s.Padding);

    /// <summary>output = act(W·col + bias), act applied while the product is copied out to NCHW.</summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, in Conv2dShape s, ActivationEpilogue activation, float slope)
        => ConvolutionForward.Run<Kernel>(weight, bias, input, output, batch, s, activation, slope);

    private readonly struct Kernel : IConvolutionForward
    {
        public static void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator
            => ConvGemm.Forward<TOp>(w, bias, x, y, batch, s, slope);
    }

    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient,
        int batch, in Conv2dShape s)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int pixels = s.OutPixels, patch = s.PatchSize, outC = s.OutChannels, group = GroupSize(batch, pixels);
        float* padded = ws.Floats(FloatSlot.Padded, (long)group * PaddedSize(s));
        float* product = ws.Floats(FloatSlot.Product, (long)patch * outC);
        int* patchOffsets = PatchOffsets(ws, IntSlot.ARows, s);
        int* pixelOffsets = PixelOffsets(ws, IntSlot.AColumns, s, group);
        int* adjointRows = ws.Ints(IntSlot.BRows, group * pixels);
        int* adjointColumns = ws.Ints(IntSlot.BColumns, outC);
        for (int n = 0; n < group; n++)
        for (int q = 0; q < pixels; q++)
            adjointRows[n * pixels + q] = n * s.OutputSize + q;
        OffsetMatrix.Affine(adjointColumns, outC, pixels);

        fixed (float* x = input, dy = outputAdjoint, dw = weightGradient)
        {
            for (int n0 = 0; n0 < batch; n0 += group)
            {
                int g = Math.Min(group, batch - n0);
                Pad(x + (long)n0 * s.InputSize, padded, g, s);
                var col = new OffsetMatrix(padded, patchOffsets, pixelOffsets, overread: true);
                var dyT = new OffsetMatrix(dy + (long)n0 * s.OutputSize, adjointRows, adjointColumns);
                MultiplyByIm2Col(col, dyT, product, outC, patch, outC, g * pixels, accumulate: n0 > 0);
            }
            for (int o = 0; o < outC; o++)
            {
                float* row = dw + (long)o * patch;
                for (int i = 0; i < patch; i++)
                    row[i] += product[i * outC + o];
            }
        }
    }

    /// <summary>inputAdjoint = the adjoint convolution of outputAdjoint; requires <see cref="AdjointIsConvolution"/>.</summary>
    public static void InputAdjoint(ReadOnlySpan<float> weight, ReadOnlySpan<float> outputAdjoint, Span<float> inputAdjoint, int batch, in Conv2dShape s)
    {
        fixed (float* w = weight, dy = outputAdjoint, dx = inputAdjoint)
            Forward<Epilogue.None>(FlippedWeights(w, s), null, dy, dx, batch, AdjointShape(s), 0f);
    }

    /// <summary>The weights of the adjoint convolution, in this thread's workspace: flipped[c, o, kh, kw] = weight[o, c, K−1−kh, K−1−kw].</summary>
    internal static float* FlippedWeights(float* w, in Conv2dShape s)
    {
        int k = s.Kernel, inC = s.InChannels, outC = s.OutChannels, taps = k * k;
        float* flipped = GemmWorkspace.Current.Floats(FloatSlot.Weights, (long)inC * outC * taps);
        for (int c = 0; c < inC; c++)
        for (int o = 0; o < outC; o++)
            ReversedCopy.Run(w + (o * inC + c) * taps, flipped + (c * outC + o) * taps, taps);
        return flipped;
    }

    private static void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int pixels = s.OutPixels, patch = s.PatchSize, outC = s.OutChannels, group = GroupSize(batch, pixels);
        float* padded = ws.Floats(FloatSlot.Padded, (long)group * PaddedSize(s));
        float* product = ws.Floats(FloatSlot.Product, (long)outC * group * pixels);
        int* weightRows = ws.Ints(IntSlot.ARows, outC);
        int* weightColumns = ws.Ints(IntSlot.AColumns, patch);
        OffsetMatrix.Affine(weightRows, outC, patch);
        OffsetMatrix.Affine(weightColumns, patch, 1);
        int* patchOffsets = PatchOffsets(ws, IntSlot.BRows, s);
        int* pixelOffsets = PixelOffsets(ws, IntSlot.BColumns, s, group);
        var weights = new OffsetMatrix(w, weightRows, weightColumns);
        float* packedWeights = PackAll(ws, weights, outC, patch);

        for (int n0 = 0; n0 < batch; n0 += group)
        {
            int g = Math.Min(group, batch - n0), columns = g * pixels;
            Pad(x + (long)n0 * s.InputSize, padded, g, s);
            MultiplyByPackedWeights(packedWeights, new OffsetMatrix(padded, patchOffsets, pixelOffsets, overread: true), product, columns, outC, columns, patch);
            // product is [outC × (sample, pixel)]; the output is NCHW.
            for (int n = 0; n < g; n++)
            for (int o = 0; o < outC; o++)
                CopyPlus<TOp>(product + (long)o * columns + n * pixels, y + (long)(n0 + n) * s.OutputSize + o * pixels, pixels, bias == null ? 0f : bias[o], slope);
        }
    }

    /// <summary>
    /// <see cref="PackedGemm.Multiply"/> for A an im2col matrix with pixels along k (the weight gradient): every A tile of
    /// a k block has the same column offsets, so its runs of adjacent pixels are found once per k block rather than once
    /// per tile, and each tile row is packed as one register copy per run (A must allow overread).
    /// </summary>
    private static void MultiplyByIm2Col(in OffsetMatrix a, in OffsetMatrix b, float* c, nint ldc, int m, int n, int k, bool accumulate)
    {
        const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns, KC = GemmMicroKernel.RowStride, RS = GemmMicroKernel.RowStride;
        if (m <= 0 || n <= 0 || k <= 0)
        {
            PackedGemm.Multiply(a, b, c, ldc, m, n, k, accumulate);
            return;
        }
        GemmWorkspace workspace = GemmWorkspace.Current;
        int kcMax = PackedGemm.BlockDepth(k);
        int nBlocks = (n + PackedGemm.BlockColumns - 1) / PackedGemm.BlockColumns;
        int ncMax = Math.Min(n, ((n + nBlocks - 1) / nBlocks + NR - 1) / NR * NR);
        float* packedA = workspace.Floats(FloatSlot.PackedA, MR * KC);
        float* packedB = workspace.Floats(FloatSlot.PackedB, (long)kcMax * ((ncMax + NR - 1) / NR * NR) + GemmPacking.Slack);
        int* runStart = stackalloc int[KC + 1];
        int* runSource = stackalloc int[KC + 1];

        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            bool add = accumulate || pc > 0;
            // Runs of adjacent source columns (≤ 16, one register each), shared by every tile of this k block.
            int* colOff = a.ColumnOffsets + pc;
            int runs = 0;
            for (int p = 0; p < kc;)
            {
                int length = 1;
                while (p + length < kc && length < 16 && colOff[p + length] == colOff[p] + length)
                    length++;
                runStart[runs] = p;
                runSource[runs++] = colOff[p];
                p += length;
            }
            bool byRuns = kc >= 4 * runs;
            for (int jc = 0; jc < n; jc += ncMax)
            {
                int nc = Math.Min(ncMax, n - jc);
                int panels = (nc + NR - 1) / NR;
                for (int u = 0; u < panels; u++)
                    GemmPacking.PackB(b, pc, kc, jc + u * NR, Math.Min(NR, nc - u * NR), packedB + (long)u * NR * kc);
                for (int ic = 0; ic < m; ic += MR)
                {
                    int rows = Math.Min(MR, m - ic);
                    if (byRuns)
                    {
                        // Register copies overshoot each run; the next run (or row) overwrites the overshoot, so runs go in order.
                        for (int r = 0; r < rows; r++)
                        {
                            float* src = a.Source + a.RowOffsets[ic + r];
                            float* dst = packedA + r * RS;
                            for (int t = 0; t < runs; t++)
                                GemmPacking.Copy16(src + runSource[t], dst + runStart[t]);
                        }
                        for (int r = rows; r < MR; r++)
                            new Span<float>(packedA + r * RS, kc).Clear();
                    }
                    else
                    {
                        GemmPacking.PackA(a, ic, rows, pc, kc, packedA);
                    }
                    float* cRow = c + ic * ldc + jc;
                    for (int u = 0; u < panels; u++)
                        GemmMicroKernel.Run(packedA, packedB + (long)u * NR * kc, kc, cRow + u * NR, ldc, rows, Math.Min(NR, nc - u * NR), add);
                }
            }
        }
    }

    /// <summary>
    /// Packs every A tile of an m × k operand once, in the order <see cref="MultiplyByPackedWeights"/> reads them: per
    /// k block (balanced as in <see cref="PackedGemm"/>), per 8-row tile, Rows × RowStride floats.
    /// </summary>
    private static float* PackAll(GemmWorkspace ws, in OffsetMatrix a, int m, int k)
    {
        const int MR = GemmMicroKernel.Rows, KC = GemmMicroKernel.RowStride;
        int kcMax = PackedGemm.BlockDepth(k), kBlocks = (k + kcMax - 1) / kcMax, tiles = (m + MR - 1) / MR;
        float* packed = ws.Floats(FloatSlot.PackedA, (long)kBlocks * tiles * MR * KC);
        float* dst = packed;
        for (int pc = 0; pc < k; pc += kcMax)
        for (int ic = 0; ic < m; ic += MR, dst += MR * KC)
            GemmPacking.PackA(a, ic, Math.Min(MR, m - ic), pc, Math.Min(kcMax, k - pc), dst);
        return packed;
    }

    /// <summary>
    /// C (m × n) = A·B as <see cref="PackedGemm.Multiply"/> does it, with A (the weights, the same for every sample group)
    /// already packed by <see cref="PackAll"/>, so a call packs only B.
    /// </summary>
    private static void MultiplyByPackedWeights(float* packedA, in OffsetMatrix b, float* c, nint ldc, int m, int n, int k)
    {
        const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns, KC = GemmMicroKernel.RowStride;
        if (m <= 0 || n <= 0 || k <= 0)
            return;
        int kcMax = PackedGemm.BlockDepth(k), kBlocks = (k + kcMax - 1) / kcMax, tiles = (m + MR - 1) / MR;
        int nBlocks = (n + PackedGemm.BlockColumns - 1) / PackedGemm.BlockColumns;
        int ncMax = Math.Min(n, ((n + nBlocks - 1) / nBlocks + NR - 1) / NR * NR);
        float* packedB = GemmWorkspace.Current.Floats(FloatSlot.PackedB, (long)kcMax * ((ncMax + NR - 1) / NR * NR) + GemmPacking.Slack);
        float* aBlock = packedA;
        for (int pc = 0; pc < k; pc += kcMax, aBlock += (long)tiles * MR * KC)
        {
            int kc = Math.Min(kcMax, k - pc);
            bool add = pc > 0;
            for (int jc = 0; jc < n; jc += ncMax)
            {
                int nc = Math.Min(ncMax, n - jc);
                int panels = (nc + NR - 1) / NR;
                for (int u = 0; u < panels; u++)
                    GemmPacking.PackB(b, pc, kc, jc + u * NR, Math.Min(NR, nc - u * NR), packedB + (long)u * NR * kc);
                float* aTile = aBlock;
                for (int ic = 0; ic < m; ic += MR, aTile += MR * KC)
                {
                    int rows = Math.Min(MR, m - ic);
                    float* cRow = c + ic * ldc + jc;
                    for (int u = 0; u < panels; u++)
                        GemmMicroKernel.Run(aTile, packedB + (long)u * NR * kc, kc, cRow + u * NR, ldc, rows, Math.Min(NR, nc - u * NR), add);
                }
            }
        }
    }

    private static int GroupSize(int batch, int pixels) => Math.Max(1, Math.Min(batch, (GroupColumns + pixels - 1) / pixels));

    private static int PaddedHeight(in Conv2dShape s) => s.InHeight + 2 * s.Padding;

    private static int PaddedWidth(in Conv2dShape s) => s.InWidth + 2 * s.Padding;

    private static int PaddedSize(in Conv2dShape s) => s.InChannels * PaddedHeight(s) * PaddedWidth(s);

    /// <summary>Offset of im2col row (c, kh, kw) in a padded sample.</summary>
    private static int* PatchOffsets(GemmWorkspace ws, IntSlot slot, in Conv2dShape s)
    {
        int k = s.Kernel, hp = PaddedHeight(s), wp = PaddedWidth(s);
        int* offsets = ws.Ints(slot, s.PatchSize);
        for (int c = 0, i = 0; c < s.InChannels; c++)
        for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++)
            offsets[i++] = (c * hp + kh) * wp + kw;
        return offsets;
    }

    /// <summary>Offset of im2col column (n, oh, ow) in a group of padded samples.</summary>
    private static int* PixelOffsets(GemmWorkspace ws, IntSlot slot, in Conv2dShape s, int group)
    {
        int wp = PaddedWidth(s), size = PaddedSize(s);
        int* offsets = ws.Ints(slot, group * s.OutPixels);
        for (int n = 0, j = 0; n < group; n++)
        for (int oh = 0; oh < s.OutHeight; oh++)
        for (int ow = 0; ow < s.OutWidth; ow++)
            offsets[j++] = n * size + oh * s.Stride * wp + ow * s.Stride;
        return offsets;
    }

    /// <summary>Copies <paramref name="count"/> samples into zero-bordered images of PaddedHeight × PaddedWidth per channel.</summary>
    private static void Pad(float* x, float* padded, int count, in Conv2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, p = s.Padding, wp = PaddedWidth(s);
        long size = (long)count * PaddedSize(s);
        if (p == 0)
        {
            Buffer.MemoryCopy(x, padded, size * sizeof(float), size * sizeof(float));
            return;
        }
        new Span<float>(padded, (int)size).Clear();
        int planes = count * s.InChannels;
        for (int c = 0; c < planes; c++)
        {
            float* src = x + (long)c * h * w, dst = padded + (long)c * PaddedHeight(s) * wp + p * wp + p;
            for (int row = 0; row < h; row++)
                Buffer.MemoryCopy(src + row * w, dst + row * wp, w * sizeof(float), w * sizeof(float));
        }
    }

    /// <summary>dst[i] = act(src[i] + value) for i &lt; count (dst may be src).</summary>
    internal static void CopyPlus<TOp>(float* src, float* dst, int count, float value, float slope) where TOp : IUnaryOperator
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            i = CopyPlusRegisters<Vector512<float>, Simd512, TOp>(src, dst, count, value, slope);
        else if (Vector256.IsHardwareAccelerated)
            i = CopyPlusRegisters<Vector256<float>, Simd256, TOp>(src, dst, count, value, slope);
        for (; i < count; i++)
            dst[i] = TOp.Invoke<float, SimdScalar>(src[i] + value, slope);
    }

    // The whole registers of CopyPlus; returns where the scalar tail starts.
    private static int CopyPlusRegisters<TV, T, TOp>(float* src, float* dst, int count, float value, float slope)
        where TV : struct where T : ISimd<TV> where TOp : IUnaryOperator
    {
        TV v = T.Create(value), p = T.Create(slope);
        int i = 0;
        for (; i <= count - T.Count; i += T.Count)
            T.Store(TOp.Invoke<TV, T>(T.Add(T.Load(ref src[i]), v), p), ref dst[i]);
        return i;
    }
}
