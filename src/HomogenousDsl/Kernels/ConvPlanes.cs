using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Direct stride-1 convolution for wide patches (W4's second convolution: forward, weight gradient, and its input
/// adjoint as a convolution) on the GEMM's 8 × 32 register tile, with no im2col packing. <see cref="ConvDirect"/>'s
/// shifted planes make im2col row (c, kh, kw) of a sample the contiguous run P[c, kw][kh·OutWidth + j], so the tile
/// reads its two B registers per k step straight from the planes at a per-tap offset; the weights, packed once per call
/// into k-major tiles of eight output channels, are the broadcast side. The output is NCHW as computed: no transposes.
/// k is blocked as <see cref="PackedGemm"/> blocks it. Packing the im2col panels cost as much as the FMAs they fed when
/// only 32–64 output channels reuse each packed float (the packed path ran conv2 at 159 GFLOP/s forward, 140 for its
/// adjoint). Pixels run in panels of 32; a last panel of at most 16 runs with channels along the registers
/// (<see cref="TailPixels"/>). The weight gradient turns the product around (dWᵀ = col·dYᵀ): the planes give eight
/// im2col rows read in place as the broadcast side. Only for Vector512 hardware.
/// </summary>
internal static unsafe class ConvPlanes
{
    private const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns;

    /// <summary>Floats read past a sample's planes by the last panel's registers (zero, never used).</summary>
    private const int Slack = 32;

    public static bool Applies(in Conv2dShape s)
        => Vector512.IsHardwareAccelerated && s.Stride == 1 && !s.IsPointwise && s.PatchSize > ConvDirect.MaxPatch && s.OutChannels >= MR;

    /// <summary>output = act(W·col + bias) per sample, as <see cref="ConvGemm.Forward"/>; requires <see cref="Applies"/>.</summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, in Conv2dShape s, ActivationEpilogue activation, float slope)
        => ConvolutionForward.Run<Kernel>(weight, bias, input, output, batch, s, activation, slope);

    private readonly struct Kernel : IConvolutionForward
    {
        public static void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator
            => ConvPlanes.Forward<TOp>(w, bias, x, y, batch, s, slope);
    }

    /// <summary>
    /// inputAdjoint = the adjoint convolution of outputAdjoint (see <see cref="ConvGemm.AdjointIsConvolution"/>), when
    /// <see cref="Applies"/> to <see cref="ConvGemm.AdjointShape"/>.
    /// </summary>
    public static void InputAdjoint(ReadOnlySpan<float> weight, ReadOnlySpan<float> outputAdjoint, Span<float> inputAdjoint, int batch, in Conv2dShape s)
    {
        fixed (float* w = weight, dy = outputAdjoint, dx = inputAdjoint)
            Forward<Epilogue.None>(ConvGemm.FlippedWeights(w, s), null, dy, dx, batch, ConvGemm.AdjointShape(s), 0f);
    }

    /// <summary>
    /// weightGradient[o, p] += Σ_n Σ_j dy[n, o, j]·col_n[p, j] for <see cref="Applies"/> shapes: dWᵀ = col·dYᵀ per
    /// sample, the im2col side the broadcast one with its eight rows read in place from the planes (the tile's
    /// row-pointer form), dYᵀ packed into panels by transposes (a sample's adjoint is far smaller than its im2col matrix).
    /// </summary>
    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient, int batch, in Conv2dShape s)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int taps = s.PatchSize, outC = s.OutChannels, pixels = s.OutPixels, panels = (outC + NR - 1) / NR;
        int kcMax = PackedGemm.BlockDepth(pixels);
        float* planes = ws.Floats(FloatSlot.Padded, (long)s.InChannels * s.Kernel * ConvDirect.PlaneSize(s) + Slack);
        new Span<float>(planes + (long)s.InChannels * s.Kernel * ConvDirect.PlaneSize(s), Slack).Clear();
        int* tapOffsets = ConvDirect.TapOffsets(ws, s);
        float* product = ws.Floats(FloatSlot.Product, (long)taps * outC);
        float* packedB = ws.Floats(FloatSlot.PackedB, (long)panels * NR * kcMax + GemmPacking.Slack);
        // B = dYᵀ of one sample: B(j, o) = dy[o·pixels + j].
        int* adjointRows = ws.Ints(IntSlot.BRows, pixels);
        int* adjointColumns = ws.Ints(IntSlot.BColumns, outC);
        OffsetMatrix.Affine(adjointRows, pixels, 1);
        OffsetMatrix.Affine(adjointColumns, outC, pixels);
        // Rows of an edge tile past the patch repeat its last row: read, computed, never stored.
        int* rowOffsets = stackalloc int[MR];

        fixed (float* x = input, dy = outputAdjoint, dw = weightGradient)
        {
            for (int n = 0; n < batch; n++)
            {
                ConvDirect.BuildPlanes(x + (long)n * s.InputSize, planes, s);
                var dyT = new OffsetMatrix(dy + (long)n * s.OutputSize, adjointRows, adjointColumns, columnStride: pixels);
                for (int pc = 0; pc < pixels; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, pixels - pc);
                    bool add = n > 0 || pc > 0;
                    for (int u = 0; u < panels; u++)
                        GemmPacking.PackB(dyT, pc, kc, u * NR, Math.Min(NR, outC - u * NR), packedB + (long)u * NR * kc);
                    for (int i0 = 0; i0 < taps; i0 += MR)
                    {
                        int rows = Math.Min(MR, taps - i0);
                        for (int r = 0; r < MR; r++)
                            rowOffsets[r] = tapOffsets[i0 + Math.Min(r, rows - 1)] + pc;
                        for (int u = 0; u < panels; u++)
                        {
                            GemmMicroKernel.RunWide(planes + rowOffsets[0], planes + rowOffsets[1], planes + rowOffsets[2], planes + rowOffsets[3],
                                planes + rowOffsets[4], planes + rowOffsets[5], planes + rowOffsets[6], planes + rowOffsets[7], 1,
                                packedB + (long)u * NR * kc, kc, product + (long)i0 * outC + u * NR, outC, rows, Math.Min(NR, outC - u * NR), add);
                        }
                    }
                }
            }
            for (int o = 0; o < outC; o++)
            {
                float* row = dw + (long)o * taps;
                for (int p = 0; p < taps; p++)
                    row[p] += product[(long)p * outC + o];
            }
        }
    }

    private static void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int taps = s.PatchSize, outC = s.OutChannels, pixels = s.OutPixels, tiles = (outC + MR - 1) / MR;
        int kcMax = PackedGemm.BlockDepth(taps);
        float* planes = ws.Floats(FloatSlot.Padded, (long)s.InChannels * s.Kernel * ConvDirect.PlaneSize(s) + Slack);
        new Span<float>(planes + (long)s.InChannels * s.Kernel * ConvDirect.PlaneSize(s), Slack).Clear();
        int* tapOffsets = ConvDirect.TapOffsets(ws, s);
        // packed[(t·taps + p)·8 + r] = weight[8t + r, p], zero past the last channel: tile t's k step p is 8 adjacent floats.
        float* packed = ws.Floats(FloatSlot.PackedA, (long)tiles * taps * MR);
        for (int t = 0; t < tiles; t++)
        for (int r = 0; r < MR; r++)
        {
            int o = t * MR + r;
            float* dst = packed + (long)t * taps * MR + r;
            for (int p = 0; p < taps; p++)
                dst[p * MR] = o < outC ? w[(long)o * taps + p] : 0f;
        }
        bool finish = bias != null || typeof(TOp) != typeof(Epilogue.None);
        // A last panel of at most 16 pixels (196 = 6·32 + 4 in W4) would leave most lanes of the pixel registers idle:
        // those pixels run with output channels along the registers instead (TailPixels), on transposed weights
        // wt[p·ldw + o] = weight[o, p], rows padded with zeros to whole registers.
        int fullPanels = pixels / NR, tail = pixels - fullPanels * NR;
        if (tail > 16)
        {
            fullPanels++;
            tail = 0;
        }
        int ldw = (outC + 15) & ~15;
        float* wt = tail == 0 ? null : ws.Floats(FloatSlot.PackedB, (long)taps * ldw + TailChannels);
        if (wt != null)
        {
            for (int p = 0; p < taps; p++)
            for (int o = 0; o < ldw + (p == taps - 1 ? TailChannels : 0); o++)
                wt[(long)p * ldw + o] = o < outC ? w[(long)o * taps + p] : 0f;
        }
        float* tailResult = stackalloc float[TailPixelCount * TailChannels];

        for (int n = 0; n < batch; n++)
        {
            ConvDirect.BuildPlanes(x + (long)n * s.InputSize, planes, s);
            float* yn = y + (long)n * s.OutputSize;
            for (int pc = 0; pc < taps; pc += kcMax)
            {
                int kc = Math.Min(kcMax, taps - pc);
                bool add = pc > 0;
                // Panel outer: its B rows (≈ 15 KB for 200 taps) stay in L1 while every tile of channels reads them.
                for (int u = 0; u < fullPanels; u++)
                {
                    int j0 = u * NR, cols = Math.Min(NR, pixels - j0);
                    for (int t = 0; t < tiles; t++)
                    {
                        float* a = packed + ((long)t * taps + pc) * MR;
                        float* c = yn + (long)t * MR * pixels + j0;
                        Tile32(a, planes + j0, tapOffsets + pc, kc, c, pixels, Math.Min(MR, outC - t * MR), cols, add);
                    }
                }
            }
            for (int j0 = fullPanels * NR; j0 < pixels; j0 += TailPixelCount)
            for (int g = 0; g < outC; g += TailChannels)
            {
                TailPixels(wt + g, ldw, planes + j0, tapOffsets, taps, tailResult);
                int count = Math.Min(TailPixelCount, pixels - j0), channels = Math.Min(TailChannels, outC - g);
                for (int o = 0; o < channels; o++)
                for (int j = 0; j < count; j++)
                    yn[(long)(g + o) * pixels + j0 + j] = tailResult[j * TailChannels + o];
            }
            if (finish)
            {
                for (int o = 0; o < outC; o++)
                    ConvGemm.CopyPlus<TOp>(yn + (long)o * pixels, yn + (long)o * pixels, pixels, bias == null ? 0f : bias[o], slope);
            }
        }
    }

    /// <summary>
    /// C[0..rows, 0..cols] (+)= A·B over kc steps, A(r, q) = a[8q + r], B(q, j) = b[offsets[q] + j]: the packed
    /// GEMM's 8 × 32 tile (the same FMA chain per element) with B rows read in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile32(float* a, float* b, int* offsets, int kc, float* c, nint ldc, int rows, int cols, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (nint q = 0; q < kc; q++, a += MR)
        {
            float* bq = b + offsets[q];
            Vector512<float> b0 = Avx512F.LoadVector512(bq), b1 = Avx512F.LoadVector512(bq + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
        }
        GemmMicroKernel.StoreWide(c, ldc, rows, cols, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    private const int TailPixelCount = 4, TailChannels = 64;

    /// <summary>
    /// result[j·64 + o] = Σ_q wt[q·ldw + o]·b[offsets[q] + j] for 4 pixels j and 64 channels o, over all kc taps in one
    /// chain: the channels along four registers, each pixel's plane value broadcast, 16 FMAs per tap with no idle lanes
    /// (for fewer than 64 channels the extra lanes read the next row of wt, and are dropped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TailPixels(float* wt, nint ldw, float* b, int* offsets, int kc, float* result)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        for (nint q = 0; q < kc; q++, wt += ldw)
        {
            Vector512<float> w0 = Avx512F.LoadVector512(wt), w1 = Avx512F.LoadVector512(wt + 16), w2 = Avx512F.LoadVector512(wt + 32), w3 = Avx512F.LoadVector512(wt + 48);
            float* bq = b + offsets[q];
            Vector512<float> x = Vector512.Create(bq[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, w0, c00); c01 = Avx512F.FusedMultiplyAdd(x, w1, c01); c02 = Avx512F.FusedMultiplyAdd(x, w2, c02); c03 = Avx512F.FusedMultiplyAdd(x, w3, c03);
            x = Vector512.Create(bq[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, w0, c10); c11 = Avx512F.FusedMultiplyAdd(x, w1, c11); c12 = Avx512F.FusedMultiplyAdd(x, w2, c12); c13 = Avx512F.FusedMultiplyAdd(x, w3, c13);
            x = Vector512.Create(bq[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, w0, c20); c21 = Avx512F.FusedMultiplyAdd(x, w1, c21); c22 = Avx512F.FusedMultiplyAdd(x, w2, c22); c23 = Avx512F.FusedMultiplyAdd(x, w3, c23);
            x = Vector512.Create(bq[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, w0, c30); c31 = Avx512F.FusedMultiplyAdd(x, w1, c31); c32 = Avx512F.FusedMultiplyAdd(x, w2, c32); c33 = Avx512F.FusedMultiplyAdd(x, w3, c33);
        }
        Avx512F.Store(result, c00); Avx512F.Store(result + 16, c01); Avx512F.Store(result + 32, c02); Avx512F.Store(result + 48, c03);
        Avx512F.Store(result + 64, c10); Avx512F.Store(result + 80, c11); Avx512F.Store(result + 96, c12); Avx512F.Store(result + 112, c13);
        Avx512F.Store(result + 128, c20); Avx512F.Store(result + 144, c21); Avx512F.Store(result + 160, c22); Avx512F.Store(result + 176, c23);
        Avx512F.Store(result + 192, c30); Avx512F.Store(result + 208, c31); Avx512F.Store(result + 224, c32); Avx512F.Store(result + 240, c33);
    }
}
