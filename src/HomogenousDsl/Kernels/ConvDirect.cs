using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Direct stride-1 convolution for a small patch (few input channels: a network's first layer), vectorized over output
/// pixels. Per sample, each (input channel c, kernel column kw) gets a shifted plane
/// P[c, kw][r·OutWidth + ow] = xpad[c, r, ow + kw] (r over the padded rows, zero outside the image), so that
/// for every tap (c, kh, kw) the im2col row is the contiguous run P[c, kw][kh·OutWidth + j], j over all output pixels:
/// no waste at row ends, no packing, no transposes. Forward holds 4 channels × 64 pixels in registers (4 loads and
/// 4 broadcasts per 16 FMAs); the weight gradient holds 4 channels × 5 taps of lane-wise partial sums over the pixels
/// of the whole batch (9 loads per 20 FMAs) and reduces them once. Only for Vector512 hardware.
/// </summary>
internal static unsafe class ConvDirect
{
    /// <summary>Largest PatchSize (InChannels·K·K) taken here; above it the packed GEMM's k is long enough to pay.</summary>
    public const int MaxPatch = 32;

    private const int CG = 4;   // output channels per register block
    private const int TG = 5;   // taps per weight-gradient block

    public static bool Applies(in Conv2dShape s)
        => Vector512.IsHardwareAccelerated && s.Stride == 1 && s.PatchSize <= MaxPatch && !s.IsPointwise;

    /// <summary>
    /// <see cref="Applies"/> and enough multiply-adds to leave the simple per-sample loops; unlike the packed GEMM this
    /// path needs no minimum channel count (8 output channels run as two register blocks).
    /// </summary>
    public static bool IsWorthwhile(int batch, in Conv2dShape s)
        => Applies(s) && (long)batch * s.OutPixels * s.OutChannels * s.PatchSize >= 1L << 15;

    /// <summary>Floats per shifted plane: the padded rows at OutWidth each, and 16 floats of zero slack.</summary>
    internal static int PlaneSize(in Conv2dShape s) => (s.InHeight + 2 * s.Padding) * s.OutWidth + 16;

    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, in Conv2dShape s, ActivationEpilogue activation, float slope)
        => ConvolutionForward.Run<Kernel>(weight, bias, input, output, batch, s, activation, slope);

    private readonly struct Kernel : IConvolutionForward
    {
        public static void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator
            => ConvDirect.Forward<TOp>(w, bias, x, y, batch, s, slope);
    }

    private static void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int taps = s.PatchSize, outC = s.OutChannels, pixels = s.OutPixels, groups = (outC + CG - 1) / CG;
        float* planes = ws.Floats(FloatSlot.Padded, (long)s.InChannels * s.Kernel * PlaneSize(s));
        int* tapOffsets = TapOffsets(ws, s);
        // wt[g][t][i] = weight[4g + i, t] (zero for missing channels); bt[g][i] likewise.
        float* wt = ws.Floats(FloatSlot.Weights, (long)groups * (taps + 1) * CG);
        float* bt = wt + (long)groups * taps * CG;
        for (int g = 0; g < groups; g++)
        for (int i = 0; i < CG; i++)
        {
            int o = g * CG + i;
            for (int t = 0; t < taps; t++)
                wt[(g * taps + t) * CG + i] = o < outC ? w[o * taps + t] : 0f;
            bt[g * CG + i] = o < outC && bias != null ? bias[o] : 0f;
        }
        Vector512<float> p = Vector512.Create(slope);

        for (int n = 0; n < batch; n++)
        {
            BuildPlanes(x + (long)n * s.InputSize, planes, s);
            float* yn = y + (long)n * s.OutputSize;
            for (int g = 0; g < groups; g++)
            {
                float* wg = wt + (long)g * taps * CG;
                int rows = Math.Min(CG, outC - g * CG);
                float* y0 = yn + (long)g * CG * pixels;
                int j = 0;
                for (; j + 64 <= pixels; j += 64)
                    Block64<TOp>(planes + j, tapOffsets, taps, wg, bt + g * CG, p, y0 + j, pixels, rows);
                for (; j < pixels; j += 16)
                    Block16<TOp>(planes + j, tapOffsets, taps, wg, bt + g * CG, p, y0 + j, pixels, rows, Math.Min(16, pixels - j));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block64<TOp>(float* src, int* tapOffsets, int taps, float* wg, float* bg, Vector512<float> slope, float* y, int ldy, int rows)
        where TOp : IUnaryOperator
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        for (int t = 0; t < taps; t++, wg += CG)
        {
            float* q = src + tapOffsets[t];
            Vector512<float> x0 = Avx512F.LoadVector512(q), x1 = Avx512F.LoadVector512(q + 16), x2 = Avx512F.LoadVector512(q + 32), x3 = Avx512F.LoadVector512(q + 48);
            Vector512<float> v = Vector512.Create(wg[0]);
            a00 = Avx512F.FusedMultiplyAdd(v, x0, a00); a01 = Avx512F.FusedMultiplyAdd(v, x1, a01); a02 = Avx512F.FusedMultiplyAdd(v, x2, a02); a03 = Avx512F.FusedMultiplyAdd(v, x3, a03);
            v = Vector512.Create(wg[1]);
            a10 = Avx512F.FusedMultiplyAdd(v, x0, a10); a11 = Avx512F.FusedMultiplyAdd(v, x1, a11); a12 = Avx512F.FusedMultiplyAdd(v, x2, a12); a13 = Avx512F.FusedMultiplyAdd(v, x3, a13);
            v = Vector512.Create(wg[2]);
            a20 = Avx512F.FusedMultiplyAdd(v, x0, a20); a21 = Avx512F.FusedMultiplyAdd(v, x1, a21); a22 = Avx512F.FusedMultiplyAdd(v, x2, a22); a23 = Avx512F.FusedMultiplyAdd(v, x3, a23);
            v = Vector512.Create(wg[3]);
            a30 = Avx512F.FusedMultiplyAdd(v, x0, a30); a31 = Avx512F.FusedMultiplyAdd(v, x1, a31); a32 = Avx512F.FusedMultiplyAdd(v, x2, a32); a33 = Avx512F.FusedMultiplyAdd(v, x3, a33);
        }
        Store4<TOp>(y, a00, a01, a02, a03, bg[0], slope);
        if (rows > 1) Store4<TOp>(y + ldy, a10, a11, a12, a13, bg[1], slope);
        if (rows > 2) Store4<TOp>(y + 2 * ldy, a20, a21, a22, a23, bg[2], slope);
        if (rows > 3) Store4<TOp>(y + 3 * ldy, a30, a31, a32, a33, bg[3], slope);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<TOp>(float* y, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, float bias, Vector512<float> slope)
        where TOp : IUnaryOperator
    {
        Vector512<float> b = Vector512.Create(bias);
        Avx512F.Store(y, TOp.Invoke<Vector512<float>, Simd512>(v0 + b, slope));
        Avx512F.Store(y + 16, TOp.Invoke<Vector512<float>, Simd512>(v1 + b, slope));
        Avx512F.Store(y + 32, TOp.Invoke<Vector512<float>, Simd512>(v2 + b, slope));
        Avx512F.Store(y + 48, TOp.Invoke<Vector512<float>, Simd512>(v3 + b, slope));
    }

    private static void Block16<TOp>(float* src, int* tapOffsets, int taps, float* wg, float* bg, Vector512<float> slope, float* y, int ldy, int rows, int count)
        where TOp : IUnaryOperator
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int t = 0; t < taps; t++, wg += CG)
        {
            Vector512<float> x0 = Avx512F.LoadVector512(src + tapOffsets[t]);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(wg[0]), x0, a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(wg[1]), x0, a1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(wg[2]), x0, a2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(wg[3]), x0, a3);
        }
        float* tile = stackalloc float[CG * 16];
        Avx512F.Store(tile, TOp.Invoke<Vector512<float>, Simd512>(a0 + Vector512.Create(bg[0]), slope));
        Avx512F.Store(tile + 16, TOp.Invoke<Vector512<float>, Simd512>(a1 + Vector512.Create(bg[1]), slope));
        Avx512F.Store(tile + 32, TOp.Invoke<Vector512<float>, Simd512>(a2 + Vector512.Create(bg[2]), slope));
        Avx512F.Store(tile + 48, TOp.Invoke<Vector512<float>, Simd512>(a3 + Vector512.Create(bg[3]), slope));
        for (int r = 0; r < rows; r++)
        for (int i = 0; i < count; i++)
            y[r * ldy + i] = tile[r * 16 + i];
    }

    /// <summary>weightGradient[o, t] += Σ_n Σ_j dy[n, o, j]·col_n[t, j].</summary>
    public static void WeightGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputAdjoint, Span<float> weightGradient, int batch, in Conv2dShape s)
    {
        GemmWorkspace ws = GemmWorkspace.Current;
        int taps = s.PatchSize, outC = s.OutChannels, pixels = s.OutPixels;
        int groups = (outC + CG - 1) / CG, chunks = (taps + TG - 1) / TG;
        float* planes = ws.Floats(FloatSlot.Padded, (long)s.InChannels * s.Kernel * PlaneSize(s));
        int* tapOffsets = TapOffsets(ws, s);
        // partial[(g·chunks + c)·20 + i·5 + t] is a register of lane-wise sums for channel 4g + i, tap 5c + t.
        long blockFloats = CG * TG * 16;
        float* partial = ws.Floats(FloatSlot.Product, groups * chunks * blockFloats);
        new Span<float>(partial, (int)(groups * chunks * blockFloats)).Clear();
        int full = pixels / 16, tail = pixels - full * 16;
        Vector512<float> mask = MaskVector((ushort)((1 << tail) - 1));

        fixed (float* x = input, dy = outputAdjoint, dw = weightGradient)
        {
            for (int n = 0; n < batch; n++)
            {
                BuildPlanes(x + (long)n * s.InputSize, planes, s);
                float* dyn = dy + (long)n * s.OutputSize;
                for (int g = 0; g < groups; g++)
                {
                    float* d0 = dyn + (long)Math.Min(g * CG, outC - 1) * pixels;
                    float* d1 = dyn + (long)Math.Min(g * CG + 1, outC - 1) * pixels;
                    float* d2 = dyn + (long)Math.Min(g * CG + 2, outC - 1) * pixels;
                    float* d3 = dyn + (long)Math.Min(g * CG + 3, outC - 1) * pixels;
                    for (int c = 0; c < chunks; c++)
                    {
                        float* p0 = planes + tapOffsets[Math.Min(c * TG, taps - 1)];
                        float* p1 = planes + tapOffsets[Math.Min(c * TG + 1, taps - 1)];
                        float* p2 = planes + tapOffsets[Math.Min(c * TG + 2, taps - 1)];
                        float* p3 = planes + tapOffsets[Math.Min(c * TG + 3, taps - 1)];
                        float* p4 = planes + tapOffsets[Math.Min(c * TG + 4, taps - 1)];
                        GradientBlock(d0, d1, d2, d3, p0, p1, p2, p3, p4, full, tail != 0, mask, partial + (g * chunks + c) * blockFloats);
                    }
                }
            }

            for (int g = 0; g < groups; g++)
            for (int c = 0; c < chunks; c++)
            {
                float* block = partial + (g * chunks + c) * blockFloats;
                for (int i = 0; i < CG; i++)
                for (int t = 0; t < TG; t++)
                {
                    int o = g * CG + i, tap = c * TG + t;
                    if (o < outC && tap < taps)
                        dw[o * taps + tap] += Vector512.Sum(Avx512F.LoadVector512(block + (i * TG + t) * 16));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientBlock(float* d0, float* d1, float* d2, float* d3, float* p0, float* p1, float* p2, float* p3, float* p4,
        int full, bool tail, Vector512<float> m, float* acc)
    {
        Vector512<float> a00 = Avx512F.LoadVector512(acc), a01 = Avx512F.LoadVector512(acc + 16), a02 = Avx512F.LoadVector512(acc + 32), a03 = Avx512F.LoadVector512(acc + 48), a04 = Avx512F.LoadVector512(acc + 64);
        Vector512<float> a10 = Avx512F.LoadVector512(acc + 80), a11 = Avx512F.LoadVector512(acc + 96), a12 = Avx512F.LoadVector512(acc + 112), a13 = Avx512F.LoadVector512(acc + 128), a14 = Avx512F.LoadVector512(acc + 144);
        Vector512<float> a20 = Avx512F.LoadVector512(acc + 160), a21 = Avx512F.LoadVector512(acc + 176), a22 = Avx512F.LoadVector512(acc + 192), a23 = Avx512F.LoadVector512(acc + 208), a24 = Avx512F.LoadVector512(acc + 224);
        Vector512<float> a30 = Avx512F.LoadVector512(acc + 240), a31 = Avx512F.LoadVector512(acc + 256), a32 = Avx512F.LoadVector512(acc + 272), a33 = Avx512F.LoadVector512(acc + 288), a34 = Avx512F.LoadVector512(acc + 304);
        nint end = (nint)full * 16, j = 0;
        Vector512<float> e0, e1, e2, e3, x;
        for (; j < end; j += 16)
        {
            e0 = Avx512F.LoadVector512(d0 + j); e1 = Avx512F.LoadVector512(d1 + j); e2 = Avx512F.LoadVector512(d2 + j); e3 = Avx512F.LoadVector512(d3 + j);
            x = Avx512F.LoadVector512(p0 + j);
            a00 = Avx512F.FusedMultiplyAdd(e0, x, a00); a10 = Avx512F.FusedMultiplyAdd(e1, x, a10); a20 = Avx512F.FusedMultiplyAdd(e2, x, a20); a30 = Avx512F.FusedMultiplyAdd(e3, x, a30);
            x = Avx512F.LoadVector512(p1 + j);
            a01 = Avx512F.FusedMultiplyAdd(e0, x, a01); a11 = Avx512F.FusedMultiplyAdd(e1, x, a11); a21 = Avx512F.FusedMultiplyAdd(e2, x, a21); a31 = Avx512F.FusedMultiplyAdd(e3, x, a31);
            x = Avx512F.LoadVector512(p2 + j);
            a02 = Avx512F.FusedMultiplyAdd(e0, x, a02); a12 = Avx512F.FusedMultiplyAdd(e1, x, a12); a22 = Avx512F.FusedMultiplyAdd(e2, x, a22); a32 = Avx512F.FusedMultiplyAdd(e3, x, a32);
            x = Avx512F.LoadVector512(p3 + j);
            a03 = Avx512F.FusedMultiplyAdd(e0, x, a03); a13 = Avx512F.FusedMultiplyAdd(e1, x, a13); a23 = Avx512F.FusedMultiplyAdd(e2, x, a23); a33 = Avx512F.FusedMultiplyAdd(e3, x, a33);
            x = Avx512F.LoadVector512(p4 + j);
            a04 = Avx512F.FusedMultiplyAdd(e0, x, a04); a14 = Avx512F.FusedMultiplyAdd(e1, x, a14); a24 = Avx512F.FusedMultiplyAdd(e2, x, a24); a34 = Avx512F.FusedMultiplyAdd(e3, x, a34);
        }
        if (tail)
        {
            // The last partial vector: adjoint lanes past the image are zeroed (mask m); plane lanes are finite (zero slack).
            e0 = Avx512F.LoadVector512(d0 + j) & m; e1 = Avx512F.LoadVector512(d1 + j) & m; e2 = Avx512F.LoadVector512(d2 + j) & m; e3 = Avx512F.LoadVector512(d3 + j) & m;
            x = Avx512F.LoadVector512(p0 + j);
            a00 = Avx512F.FusedMultiplyAdd(e0, x, a00); a10 = Avx512F.FusedMultiplyAdd(e1, x, a10); a20 = Avx512F.FusedMultiplyAdd(e2, x, a20); a30 = Avx512F.FusedMultiplyAdd(e3, x, a30);
            x = Avx512F.LoadVector512(p1 + j);
            a01 = Avx512F.FusedMultiplyAdd(e0, x, a01); a11 = Avx512F.FusedMultiplyAdd(e1, x, a11); a21 = Avx512F.FusedMultiplyAdd(e2, x, a21); a31 = Avx512F.FusedMultiplyAdd(e3, x, a31);
            x = Avx512F.LoadVector512(p2 + j);
            a02 = Avx512F.FusedMultiplyAdd(e0, x, a02); a12 = Avx512F.FusedMultiplyAdd(e1, x, a12); a22 = Avx512F.FusedMultiplyAdd(e2, x, a22); a32 = Avx512F.FusedMultiplyAdd(e3, x, a32);
            x = Avx512F.LoadVector512(p3 + j);
            a03 = Avx512F.FusedMultiplyAdd(e0, x, a03); a13 = Avx512F.FusedMultiplyAdd(e1, x, a13); a23 = Avx512F.FusedMultiplyAdd(e2, x, a23); a33 = Avx512F.FusedMultiplyAdd(e3, x, a33);
            x = Avx512F.LoadVector512(p4 + j);
            a04 = Avx512F.FusedMultiplyAdd(e0, x, a04); a14 = Avx512F.FusedMultiplyAdd(e1, x, a14); a24 = Avx512F.FusedMultiplyAdd(e2, x, a24); a34 = Avx512F.FusedMultiplyAdd(e3, x, a34);
        }
        Avx512F.Store(acc, a00); Avx512F.Store(acc + 16, a01); Avx512F.Store(acc + 32, a02); Avx512F.Store(acc + 48, a03); Avx512F.Store(acc + 64, a04);
        Avx512F.Store(acc + 80, a10); Avx512F.Store(acc + 96, a11); Avx512F.Store(acc + 112, a12); Avx512F.Store(acc + 128, a13); Avx512F.Store(acc + 144, a14);
        Avx512F.Store(acc + 160, a20); Avx512F.Store(acc + 176, a21); Avx512F.Store(acc + 192, a22); Avx512F.Store(acc + 208, a23); Avx512F.Store(acc + 224, a24);
        Avx512F.Store(acc + 240, a30); Avx512F.Store(acc + 256, a31); Avx512F.Store(acc + 272, a32); Avx512F.Store(acc + 288, a33); Avx512F.Store(acc + 304, a34);
    }

    private static Vector512<float> MaskVector(ushort mask)
        => Vector512.GreaterThan(Vector512.Create((int)mask) & Vector512.Create(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768),
            Vector512<int>.Zero).AsSingle();

    /// <summary>Offset of tap (c, kh, kw)'s run in the planes: plane (c, kw), row kh.</summary>
    internal static int* TapOffsets(GemmWorkspace ws, in Conv2dShape s)
    {
        int k = s.Kernel, planeSize = PlaneSize(s);
        int* offsets = ws.Ints(IntSlot.ARows, s.PatchSize);
        for (int c = 0, t = 0; c < s.InChannels; c++)
        for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++)
            offsets[t++] = (c * k + kw) * planeSize + kh * s.OutWidth;
        return offsets;
    }

    private static void ZeroFill(float* p, int count)
    {
        int i = 0;
        for (; i + 16 <= count; i += 16)
            Avx512F.Store(p + i, Vector512<float>.Zero);
        if (i < count)
            Avx512F.MaskStore(p + i, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count - i)).AsSingle(), Vector512<float>.Zero);
    }

    /// <summary>P[c, kw][r·OutWidth + ow] = x[c, r − P, ow + kw − P], zero outside the image and in the 16-float slack.</summary>
    internal static void BuildPlanes(float* x, float* planes, in Conv2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, k = s.Kernel, pad = s.Padding, outW = s.OutWidth, hp = h + 2 * pad, planeSize = PlaneSize(s);
        if (outW > 16)
        {
            BuildWidePlanes(x, planes, s);
            return;
        }
        // Everything here is short (rows of 14 floats, 28-float borders in W4) and runs 160–320 times a sample: one
        // masked load and one store per row, with the masks made once per call rather than once per plane.
        // A row's store runs 16 − OutWidth floats into the next row, which is written after it; the bottom border is
        // filled after the last row. Masked-off lanes are not read, so a load may start before its row or the input.
        var lanes = Vector512<int>.Indices;
        var read = stackalloc Vector512<float>[k];
        for (int kw = 0; kw < k; kw++)
        {
            // Output columns ow read input column ow + kw − P: valid for lo ≤ ow < hi.
            int lo = Math.Min(outW, Math.Max(0, pad - kw)), hi = Math.Min(outW, w + pad - kw);
            read[kw] = (Vector512.GreaterThanOrEqual(lanes, Vector512.Create(lo)) & Vector512.LessThan(lanes, Vector512.Create(hi))).AsSingle();
        }
        // The layer before wrote the whole batch, so this sample's input is in L3 or memory; read channel by channel it
        // arrived a line at a time (in W4 that wait had 70% of this pass's samples, on one load before each row's store).
        // Each channel first asks for the input up to LookaheadFloats past its own end.
        long channelFloats = (long)h * w, inputFloats = s.InChannels * channelFloats, fetched = 0;
        for (int c = 0; c < s.InChannels; c++)
        for (int kw = 0; kw < k; kw++)
        {
            if (kw == 0)
                fetched = PrefetchTo(x, fetched, Math.Min(inputFloats, (c + 1) * channelFloats + LookaheadFloats));
            float* plane = planes + (c * k + kw) * planeSize;
            ZeroFill(plane, pad * outW);
            float* src = x + (long)c * h * w + kw - pad, dst = plane + pad * outW;
            var mask = read[kw];
            for (int r = 0; r < h; r++, src += w, dst += outW)
                Avx512F.Store(dst, Avx512F.MaskLoad(src, mask, Vector512<float>.Zero));
            ZeroFill(plane + (pad + h) * outW, (hp - pad - h) * outW + 16);
        }
    }

    /// <summary>
    /// Floats of a sample's input that <see cref="BuildPlanes"/> asks for ahead of the channel it is reading: four of
    /// W4's 14 × 14 channels (3 KB). With one to sixteen channels ahead the pass fell from 4.4% of W4's one-thread samples
    /// to 1.9–2.5% (four: 1.9%).
    /// </summary>
    private const int LookaheadFloats = 784;

    // Asks for every line of x[from, to) and returns the new end of what has been asked for.
    private static long PrefetchTo(float* x, long from, long to)
    {
        if (to <= from)
            return from;
        for (long q = from; q < to; q += 16)
            Sse.Prefetch0(x + q);
        Sse.Prefetch0(x + to - 1);
        return to;
    }

    // BuildPlanes for outputs wider than one register: masked loads and stores per 16 columns.
    private static void BuildWidePlanes(float* x, float* planes, in Conv2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, k = s.Kernel, pad = s.Padding, outW = s.OutWidth, hp = h + 2 * pad, planeSize = PlaneSize(s);
        for (int c = 0; c < s.InChannels; c++)
        for (int kw = 0; kw < k; kw++)
        {
            float* plane = planes + (c * k + kw) * planeSize;
            int lo = Math.Min(outW, Math.Max(0, pad - kw)), hi = Math.Min(outW, w + pad - kw);
            ZeroFill(plane, pad * outW);
            ZeroFill(plane + (pad + h) * outW, (hp - pad - h) * outW + 16);
            for (int ow0 = 0; ow0 < outW; ow0 += 16)
            {
                var lanes = Vector512<int>.Indices + Vector512.Create(ow0);
                var read = (Vector512.GreaterThanOrEqual(lanes, Vector512.Create(lo)) & Vector512.LessThan(lanes, Vector512.Create(hi))).AsSingle();
                var write = Vector512.LessThan(lanes, Vector512.Create(outW)).AsSingle();
                float* src = x + (long)c * h * w + kw - pad + ow0, dst = plane + pad * outW + ow0;
                for (int r = 0; r < h; r++, src += w, dst += outW)
                    Avx512F.MaskStore(dst, write, Avx512F.MaskLoad(src, read, Vector512<float>.Zero));
            }
        }
    }
}
