using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// The register tile of the packed GEMM: an <see cref="Rows"/> × <see cref="Columns"/> block of C held in 16 Vector512
/// accumulators while k runs. Per k step it loads one packed B row (two registers) and broadcasts eight A entries
/// straight from memory into the FMAs, so 16 FMAs cost 10 loads: the FMA pipes, not the load ports, set the pace.
/// Without 512-bit registers (AVX2 + FMA: 16 registers of 8 floats) the same tile is computed in 3 × 32 and 2 × 32
/// blocks (<see cref="RunNarrow"/>); every element is the same chain of FMAs in the same order, so both give the same bits.
/// </summary>
internal static class GemmMicroKernel
{
    /// <summary>Rows of C per tile (broadcast side).</summary>
    public const int Rows = 8;

    /// <summary>Columns of C per tile: two 16-float registers (vector side).</summary>
    public const int Columns = 32;

    /// <summary>
    /// Stride between rows of a packed A tile. A constant, so the eight broadcast addresses are fixed displacements from
    /// one pointer; 1 KB apart they fall in distinct cache sets.
    /// </summary>
    public const int RowStride = 256;

    /// <summary>
    /// C[0..rows, 0..cols] (+)= Apacked·Bpacked over kc steps. A row r is a[r·RowStride + p]; B row p is b[p·Columns + j].
    /// Rows and columns outside the tile are computed (packing zero-fills them) but never stored.
    /// </summary>
    public static unsafe void Run(float* a, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate)
        => Run(a, RowStride, 1, b, kc, c, ldc, rows, cols, accumulate);

    /// <summary>
    /// The general form: A(r, p) is a[r·lda + p·kStep]. Row-major tiles have kStep 1 (a row-major operand with eight
    /// readable rows is read in place this way, its rows swept along p like a packed tile's); a k-major tile (the eight
    /// entries of each k step adjacent, what a column-major operand packs into by plain copies) has lda 1 and kStep 8.
    /// The products and their order are the same for every layout, so results are too.
    /// </summary>
    /// <remarks>
    /// With <paramref name="accumulate"/>, C += <paramref name="scale"/>·(A·B) in one rounding per element: a fused
    /// update, W += −η·dW, writes the weights from the registers and never stores dW (a scale of 1 is the plain sum,
    /// bit for bit). A non-null <paramref name="watch"/> (see <see cref="FiniteWatch"/>) gathers whether every product
    /// and every new C was finite.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Run(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate,
        float scale = 1f, float* watch = null)
    {
        // A JIT-time constant: each build of the caller keeps one branch.
        if (Vector512.IsHardwareAccelerated)
            RunWide(a, lda, kStep, b, kc, c, ldc, rows, cols, accumulate, scale, watch);
        else
            RunNarrow(a, lda, kStep, b, kc, c, ldc, rows, cols, accumulate, scale, watch);
    }

    /// <summary><see cref="Run(float*, nint, nint, float*, int, float*, nint, int, int, bool, float, float*)"/> in 16 Vector512 accumulators.</summary>
    // Inlined, as it was before the fused update added two arguments and the JIT stopped: one call per tile, not two.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void RunWide(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate,
        float scale = 1f, float* watch = null)
        => RunWide(a, a + lda, a + 2 * lda, a + 3 * lda, a + 4 * lda, a + 5 * lda, a + 6 * lda, a + 7 * lda, kStep, b, kc, c, ldc, rows, cols, accumulate, scale, watch);

    /// <summary>
    /// The 512-bit tile with its eight A rows anywhere: A(r, p) = a_r[p·kStep] (a convolution reads eight im2col rows
    /// in place from its shifted planes this way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RunWide(float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, float* a6, float* a7, nint kStep,
        float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate, float scale = 1f, float* watch = null)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (accumulate)
        {
            // C is read only after the k loop; start fetching it now so an L2/L3-resident C (a large weight gradient,
            // a product accumulated across k blocks) arrives while the FMAs run.
            for (int r = 0; r < Rows; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
            }
        }
        for (nint q = 0, end = kc * kStep; q != end; q += kStep, b += Columns)
        {
            Vector512<float> b0 = Avx512F.LoadVector512(b), b1 = Avx512F.LoadVector512(b + 16);
            Vector512<float> x = Vector512.Create(a0[q]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[q]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[q]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[q]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[q]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[q]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[q]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[q]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
        }
        StoreWide(c, ldc, rows, cols, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71, scale, watch);
    }

    /// <summary>
    /// Stores (or adds) a 512-bit tile's rows 0..rows−1, columns 0..cols−1: whole registers for a full tile; for an edge
    /// tile (only the last row block or column panel) masked stores, with no stack spill, so the common path carries no
    /// stack buffer (and no buffer-overrun cookie) either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void StoreWide(float* c, nint ldc, int rows, int cols, bool accumulate,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11, Vector512<float> c20, Vector512<float> c21,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71, float scale = 1f, float* watch = null)
    {
        var s = Vector512.Create(scale);
        if (watch != null)
        {
            StoreWatched(c, ldc, rows, cols, s, watch, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
            return;
        }
        if (rows == Rows && cols == Columns)
        {
            if (accumulate)
                AddRows(c, ldc, s, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31,
                    ref c40, ref c41, ref c50, ref c51, ref c60, ref c61, ref c70, ref c71);
            StoreRows(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
            return;
        }
        var low = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
        var high = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols - 16)).AsSingle();
        StoreMasked(c, c00, c01, low, high, accumulate, s);
        if (rows < 2) return;
        StoreMasked(c + ldc, c10, c11, low, high, accumulate, s);
        if (rows < 3) return;
        StoreMasked(c + 2 * ldc, c20, c21, low, high, accumulate, s);
        if (rows < 4) return;
        StoreMasked(c + 3 * ldc, c30, c31, low, high, accumulate, s);
        if (rows < 5) return;
        StoreMasked(c + 4 * ldc, c40, c41, low, high, accumulate, s);
        if (rows < 6) return;
        StoreMasked(c + 5 * ldc, c50, c51, low, high, accumulate, s);
        if (rows < 7) return;
        StoreMasked(c + 6 * ldc, c60, c61, low, high, accumulate, s);
        if (rows < 8) return;
        StoreMasked(c + 7 * ldc, c70, c71, low, high, accumulate, s);
    }

    // A fused update's tile: C += scale·product, and v − v (0, or NaN for NaN and ±∞) of every new C summed into the
    // watch; only a tile with a non-finite new C checks its products too (a non-finite product makes a non-finite C), so
    // a full tile costs 16 FMAs, 16 subtractions and 15 additions over its 1,024 FMAs per step of k. Edge tiles run under masks.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreWatched(float* c, nint ldc, int rows, int cols, Vector512<float> s, float* watch,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11, Vector512<float> c20, Vector512<float> c21,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71)
    {
        if (rows == Rows && cols == Columns)
        {
            // The products stay in c00…c71 for the check below, which a tile makes only when a new weight failed.
            Vector512<float> n00 = c00, n01 = c01, n10 = c10, n11 = c11, n20 = c20, n21 = c21, n30 = c30, n31 = c31;
            Vector512<float> n40 = c40, n41 = c41, n50 = c50, n51 = c51, n60 = c60, n61 = c61, n70 = c70, n71 = c71;
            AddRows(c, ldc, s, ref n00, ref n01, ref n10, ref n11, ref n20, ref n21, ref n30, ref n31,
                ref n40, ref n41, ref n50, ref n51, ref n60, ref n61, ref n70, ref n71);
            StoreRows(c, ldc, n00, n01, n10, n11, n20, n21, n30, n31, n40, n41, n50, n51, n60, n61, n70, n71);
            var tile = (((n00 - n00) + (n01 - n01)) + ((n10 - n10) + (n11 - n11))) + (((n20 - n20) + (n21 - n21)) + ((n30 - n30) + (n31 - n31)))
                + ((((n40 - n40) + (n41 - n41)) + ((n50 - n50) + (n51 - n51))) + (((n60 - n60) + (n61 - n61)) + ((n70 - n70) + (n71 - n71))));
            if (tile == Vector512<float>.Zero)
                return;
            var products = (((c00 - c00) + (c01 - c01)) + ((c10 - c10) + (c11 - c11))) + (((c20 - c20) + (c21 - c21)) + ((c30 - c30) + (c31 - c31)))
                + ((((c40 - c40) + (c41 - c41)) + ((c50 - c50) + (c51 - c51))) + (((c60 - c60) + (c61 - c61)) + ((c70 - c70) + (c71 - c71))));
            AddToWatch(watch, products, tile);
            return;
        }
        var low = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
        var high = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols - 16)).AsSingle();
        Vector512<float> productSums = default, values = default;
        AddWatched(c, c00, c01, low, high, s, ref productSums, ref values);
        if (rows > 1) AddWatched(c + ldc, c10, c11, low, high, s, ref productSums, ref values);
        if (rows > 2) AddWatched(c + 2 * ldc, c20, c21, low, high, s, ref productSums, ref values);
        if (rows > 3) AddWatched(c + 3 * ldc, c30, c31, low, high, s, ref productSums, ref values);
        if (rows > 4) AddWatched(c + 4 * ldc, c40, c41, low, high, s, ref productSums, ref values);
        if (rows > 5) AddWatched(c + 5 * ldc, c50, c51, low, high, s, ref productSums, ref values);
        if (rows > 6) AddWatched(c + 6 * ldc, c60, c61, low, high, s, ref productSums, ref values);
        if (rows > 7) AddWatched(c + 7 * ldc, c70, c71, low, high, s, ref productSums, ref values);
        AddToWatch(watch, productSums, values);
    }

    // A full tile's rows of C: r += s·C[r] for each, every row read before any is written. Rows a multiple of 4 KB apart
    // (1 KB in a 256-sample feature-major product, 4 KB in a 1,024-wide layer's weights) alias a store to an earlier row,
    // and a load after it would wait for that store to complete (W3, two threads: 2.7% of the micro-kernel's samples).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRows(float* c, nint ldc, Vector512<float> s,
        ref Vector512<float> c00, ref Vector512<float> c01, ref Vector512<float> c10, ref Vector512<float> c11,
        ref Vector512<float> c20, ref Vector512<float> c21, ref Vector512<float> c30, ref Vector512<float> c31,
        ref Vector512<float> c40, ref Vector512<float> c41, ref Vector512<float> c50, ref Vector512<float> c51,
        ref Vector512<float> c60, ref Vector512<float> c61, ref Vector512<float> c70, ref Vector512<float> c71)
    {
        c00 = Avx512F.FusedMultiplyAdd(c00, s, Avx512F.LoadVector512(c));
        c01 = Avx512F.FusedMultiplyAdd(c01, s, Avx512F.LoadVector512(c + 16));
        c10 = Avx512F.FusedMultiplyAdd(c10, s, Avx512F.LoadVector512(c + ldc));
        c11 = Avx512F.FusedMultiplyAdd(c11, s, Avx512F.LoadVector512(c + ldc + 16));
        c20 = Avx512F.FusedMultiplyAdd(c20, s, Avx512F.LoadVector512(c + 2 * ldc));
        c21 = Avx512F.FusedMultiplyAdd(c21, s, Avx512F.LoadVector512(c + 2 * ldc + 16));
        c30 = Avx512F.FusedMultiplyAdd(c30, s, Avx512F.LoadVector512(c + 3 * ldc));
        c31 = Avx512F.FusedMultiplyAdd(c31, s, Avx512F.LoadVector512(c + 3 * ldc + 16));
        c40 = Avx512F.FusedMultiplyAdd(c40, s, Avx512F.LoadVector512(c + 4 * ldc));
        c41 = Avx512F.FusedMultiplyAdd(c41, s, Avx512F.LoadVector512(c + 4 * ldc + 16));
        c50 = Avx512F.FusedMultiplyAdd(c50, s, Avx512F.LoadVector512(c + 5 * ldc));
        c51 = Avx512F.FusedMultiplyAdd(c51, s, Avx512F.LoadVector512(c + 5 * ldc + 16));
        c60 = Avx512F.FusedMultiplyAdd(c60, s, Avx512F.LoadVector512(c + 6 * ldc));
        c61 = Avx512F.FusedMultiplyAdd(c61, s, Avx512F.LoadVector512(c + 6 * ldc + 16));
        c70 = Avx512F.FusedMultiplyAdd(c70, s, Avx512F.LoadVector512(c + 7 * ldc));
        c71 = Avx512F.FusedMultiplyAdd(c71, s, Avx512F.LoadVector512(c + 7 * ldc + 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRows(float* c, nint ldc,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11, Vector512<float> c20, Vector512<float> c21,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71)
    {
        Avx512F.Store(c, c00); Avx512F.Store(c + 16, c01);
        Avx512F.Store(c + ldc, c10); Avx512F.Store(c + ldc + 16, c11);
        Avx512F.Store(c + 2 * ldc, c20); Avx512F.Store(c + 2 * ldc + 16, c21);
        Avx512F.Store(c + 3 * ldc, c30); Avx512F.Store(c + 3 * ldc + 16, c31);
        Avx512F.Store(c + 4 * ldc, c40); Avx512F.Store(c + 4 * ldc + 16, c41);
        Avx512F.Store(c + 5 * ldc, c50); Avx512F.Store(c + 5 * ldc + 16, c51);
        Avx512F.Store(c + 6 * ldc, c60); Avx512F.Store(c + 6 * ldc + 16, c61);
        Avx512F.Store(c + 7 * ldc, c70); Avx512F.Store(c + 7 * ldc + 16, c71);
    }

    private static unsafe void AddToWatch(float* watch, Vector512<float> products, Vector512<float> values)
    {
        Avx512F.Store(watch, Avx512F.LoadVector512(watch) + products);
        Avx512F.Store(watch + FiniteWatch.ValuesOffset, Avx512F.LoadVector512(watch + FiniteWatch.ValuesOffset) + values);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddWatched(float* c, Vector512<float> low, Vector512<float> high, Vector512<float> lowMask, Vector512<float> highMask,
        Vector512<float> s, ref Vector512<float> products, ref Vector512<float> values)
    {
        var newLow = Avx512F.FusedMultiplyAdd(low, s, Avx512F.MaskLoad(c, lowMask, Vector512<float>.Zero));
        var newHigh = Avx512F.FusedMultiplyAdd(high, s, Avx512F.MaskLoad(c + 16, highMask, Vector512<float>.Zero));
        Avx512F.MaskStore(c, lowMask, newLow);
        Avx512F.MaskStore(c + 16, highMask, newHigh);
        // Lanes outside the tile were computed from zero padding and may be anything: masked out of the sums.
        products += ((low - low) & lowMask) + ((high - high) & highMask);
        values += ((newLow - newLow) & lowMask) + ((newHigh - newHigh) & highMask);
    }

    // Masked-off lanes are neither read nor written (AVX-512 suppresses their faults), so a tile may end at a buffer's end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreMasked(float* c, Vector512<float> low, Vector512<float> high, Vector512<float> lowMask, Vector512<float> highMask,
        bool accumulate, Vector512<float> s)
    {
        if (accumulate)
        {
            low = Avx512F.FusedMultiplyAdd(low, s, Avx512F.MaskLoad(c, lowMask, Vector512<float>.Zero));
            high = Avx512F.FusedMultiplyAdd(high, s, Avx512F.MaskLoad(c + 16, highMask, Vector512<float>.Zero));
        }
        Avx512F.MaskStore(c, lowMask, low);
        Avx512F.MaskStore(c + 16, highMask, high);
    }


    /// <summary>
    /// <see cref="Run(float*, nint, nint, float*, int, float*, nint, int, int, bool, float, float*)"/> in Vector256 registers (16 of
    /// them): rows 0–2 and rows 3–5 as two 3 × 32 blocks (12 accumulators and three broadcasts each, B read by the FMAs'
    /// memory operands), rows 6–7 as one 2 × 32 block (8 accumulators). Twelve independent chains hide the FMA latency
    /// that eight leave exposed; against 6 × 16 blocks the 3 × 32 ones load each B row once per three rows instead of
    /// holding it in two registers, 1.1–1.4% faster over W3-shaped operands. Blocks wholly outside the tile are skipped.
    /// </summary>
    internal static unsafe void RunNarrow(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate,
        float scale = 1f, float* watch = null)
    {
        if (accumulate)
        {
            for (int r = 0; r < rows; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
            }
        }
        ThreeByThirtyTwo(a, lda, kStep, b, kc, c, ldc, Math.Min(rows, 3), cols, accumulate, scale, watch);
        if (rows > 3)
            ThreeByThirtyTwo(a + 3 * lda, lda, kStep, b, kc, c + 3 * ldc, ldc, Math.Min(rows - 3, 3), cols, accumulate, scale, watch);
        if (rows > 6)
            TwoByThirtyTwo(a + 6 * lda, lda, kStep, b, kc, c + 6 * ldc, ldc, rows - 6, cols, accumulate, scale, watch);
    }

    // C[0..rows, 0..cols] (+)= A·B for rows ≤ 3, cols ≤ 32: B row p at b + p·Columns, A(r, p) at a[r·lda + p·kStep].
    // Fifteen registers: the loads of B stay inside the FMAs, where a register for each would spill.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ThreeByThirtyTwo(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate,
        float scale, float* watch)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda;
        for (nint q = 0, end = kc * kStep; q != end; q += kStep, b += Columns)
        {
            Vector256<float> x0 = Vector256.Create(a0[q]), x1 = Vector256.Create(a1[q]), x2 = Vector256.Create(a2[q]);
            c00 = Fma.MultiplyAdd(x0, Avx.LoadVector256(b), c00); c10 = Fma.MultiplyAdd(x1, Avx.LoadVector256(b), c10); c20 = Fma.MultiplyAdd(x2, Avx.LoadVector256(b), c20);
            c01 = Fma.MultiplyAdd(x0, Avx.LoadVector256(b + 8), c01); c11 = Fma.MultiplyAdd(x1, Avx.LoadVector256(b + 8), c11); c21 = Fma.MultiplyAdd(x2, Avx.LoadVector256(b + 8), c21);
            c02 = Fma.MultiplyAdd(x0, Avx.LoadVector256(b + 16), c02); c12 = Fma.MultiplyAdd(x1, Avx.LoadVector256(b + 16), c12); c22 = Fma.MultiplyAdd(x2, Avx.LoadVector256(b + 16), c22);
            c03 = Fma.MultiplyAdd(x0, Avx.LoadVector256(b + 24), c03); c13 = Fma.MultiplyAdd(x1, Avx.LoadVector256(b + 24), c13); c23 = Fma.MultiplyAdd(x2, Avx.LoadVector256(b + 24), c23);
        }

        var s = Vector256.Create(scale);
        if (rows == 3 && cols == Columns)
        {
            if (watch != null)
            {
                // A full tile of a fused update: plain loads and stores, every row read before any is written.
                var productCheck = NonFinite(c00, c01, c02, c03) + NonFinite(c10, c11, c12, c13) + NonFinite(c20, c21, c22, c23);
                AddRow(c, s, ref c00, ref c01, ref c02, ref c03);
                AddRow(c + ldc, s, ref c10, ref c11, ref c12, ref c13);
                AddRow(c + 2 * ldc, s, ref c20, ref c21, ref c22, ref c23);
                StoreRow(c, c00, c01, c02, c03);
                StoreRow(c + ldc, c10, c11, c12, c13);
                StoreRow(c + 2 * ldc, c20, c21, c22, c23);
                WatchTile(watch, productCheck, NonFinite(c00, c01, c02, c03) + NonFinite(c10, c11, c12, c13) + NonFinite(c20, c21, c22, c23));
                return;
            }
            Store(c, c00, accumulate, s); Store(c + 8, c01, accumulate, s); Store(c + 16, c02, accumulate, s); Store(c + 24, c03, accumulate, s);
            Store(c + ldc, c10, accumulate, s); Store(c + ldc + 8, c11, accumulate, s); Store(c + ldc + 16, c12, accumulate, s); Store(c + ldc + 24, c13, accumulate, s);
            Store(c + 2 * ldc, c20, accumulate, s); Store(c + 2 * ldc + 8, c21, accumulate, s); Store(c + 2 * ldc + 16, c22, accumulate, s); Store(c + 2 * ldc + 24, c23, accumulate, s);
            return;
        }

        Vector256<float> m0 = FirstLanes(cols), m1 = FirstLanes(cols - 8), m2 = FirstLanes(cols - 16), m3 = FirstLanes(cols - 24), products = default, values = default;
        StoreMasked(c, c00, m0, accumulate, s, watch, ref products, ref values); StoreMasked(c + 8, c01, m1, accumulate, s, watch, ref products, ref values);
        StoreMasked(c + 16, c02, m2, accumulate, s, watch, ref products, ref values); StoreMasked(c + 24, c03, m3, accumulate, s, watch, ref products, ref values);
        if (rows > 1)
        {
            StoreMasked(c + ldc, c10, m0, accumulate, s, watch, ref products, ref values); StoreMasked(c + ldc + 8, c11, m1, accumulate, s, watch, ref products, ref values);
            StoreMasked(c + ldc + 16, c12, m2, accumulate, s, watch, ref products, ref values); StoreMasked(c + ldc + 24, c13, m3, accumulate, s, watch, ref products, ref values);
        }
        if (rows > 2)
        {
            StoreMasked(c + 2 * ldc, c20, m0, accumulate, s, watch, ref products, ref values); StoreMasked(c + 2 * ldc + 8, c21, m1, accumulate, s, watch, ref products, ref values);
            StoreMasked(c + 2 * ldc + 16, c22, m2, accumulate, s, watch, ref products, ref values); StoreMasked(c + 2 * ldc + 24, c23, m3, accumulate, s, watch, ref products, ref values);
        }
        if (watch != null)
            AddToWatch(watch, products, values);
    }

    // C[0..rows, 0..cols] (+)= A·B for rows ≤ 2, cols ≤ 32.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TwoByThirtyTwo(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate,
        float scale, float* watch)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        float* a0 = a, a1 = a + lda;
        for (nint q = 0, end = kc * kStep; q != end; q += kStep, b += Columns)
        {
            Vector256<float> b0 = Avx.LoadVector256(b), b1 = Avx.LoadVector256(b + 8), b2 = Avx.LoadVector256(b + 16), b3 = Avx.LoadVector256(b + 24);
            Vector256<float> x = Vector256.Create(a0[q]);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01); c02 = Fma.MultiplyAdd(x, b2, c02); c03 = Fma.MultiplyAdd(x, b3, c03);
            x = Vector256.Create(a1[q]);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11); c12 = Fma.MultiplyAdd(x, b2, c12); c13 = Fma.MultiplyAdd(x, b3, c13);
        }

        var s = Vector256.Create(scale);
        if (rows == 2 && cols == Columns)
        {
            if (watch != null)
            {
                var productCheck = NonFinite(c00, c01, c02, c03) + NonFinite(c10, c11, c12, c13);
                AddRow(c, s, ref c00, ref c01, ref c02, ref c03);
                AddRow(c + ldc, s, ref c10, ref c11, ref c12, ref c13);
                StoreRow(c, c00, c01, c02, c03);
                StoreRow(c + ldc, c10, c11, c12, c13);
                WatchTile(watch, productCheck, NonFinite(c00, c01, c02, c03) + NonFinite(c10, c11, c12, c13));
                return;
            }
            Store(c, c00, accumulate, s); Store(c + 8, c01, accumulate, s); Store(c + 16, c02, accumulate, s); Store(c + 24, c03, accumulate, s);
            Store(c + ldc, c10, accumulate, s); Store(c + ldc + 8, c11, accumulate, s); Store(c + ldc + 16, c12, accumulate, s); Store(c + ldc + 24, c13, accumulate, s);
            return;
        }

        Vector256<float> m0 = FirstLanes(cols), m1 = FirstLanes(cols - 8), m2 = FirstLanes(cols - 16), m3 = FirstLanes(cols - 24), products = default, values = default;
        StoreMasked(c, c00, m0, accumulate, s, watch, ref products, ref values); StoreMasked(c + 8, c01, m1, accumulate, s, watch, ref products, ref values);
        StoreMasked(c + 16, c02, m2, accumulate, s, watch, ref products, ref values); StoreMasked(c + 24, c03, m3, accumulate, s, watch, ref products, ref values);
        if (rows > 1)
        {
            StoreMasked(c + ldc, c10, m0, accumulate, s, watch, ref products, ref values); StoreMasked(c + ldc + 8, c11, m1, accumulate, s, watch, ref products, ref values);
            StoreMasked(c + ldc + 16, c12, m2, accumulate, s, watch, ref products, ref values); StoreMasked(c + ldc + 24, c13, m3, accumulate, s, watch, ref products, ref values);
        }
        if (watch != null)
            AddToWatch(watch, products, values);
    }

    // A full row of a 256-bit block in a fused update: r + s·C[row] for its four vectors. Rows are stored only after
    // every row is read: rows a multiple of 4 KB apart alias, and a load behind such a store waits for it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRow(float* c, Vector256<float> s, ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2,
        ref Vector256<float> r3)
    {
        r0 = Fma.MultiplyAdd(r0, s, Avx.LoadVector256(c));
        r1 = Fma.MultiplyAdd(r1, s, Avx.LoadVector256(c + 8));
        r2 = Fma.MultiplyAdd(r2, s, Avx.LoadVector256(c + 16));
        r3 = Fma.MultiplyAdd(r3, s, Avx.LoadVector256(c + 24));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* c, Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3)
    {
        Avx.Store(c, r0); Avx.Store(c + 8, r1); Avx.Store(c + 16, r2); Avx.Store(c + 24, r3);
    }

    // v − v over a row's four vectors: zero when every lane is finite, NaN otherwise.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> NonFinite(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3)
        => ((r0 - r0) + (r1 - r1)) + ((r2 - r2) + (r3 - r3));

    // A full tile touches the watch only when its new C is not finite; a non-finite product makes a non-finite C, so a
    // finite tile's products had nothing to report.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void WatchTile(float* watch, Vector256<float> products, Vector256<float> values)
    {
        if (values != Vector256<float>.Zero)
            AddToWatch(watch, products, values);
    }

    // Lanes below count (none when count ≤ 0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FirstLanes(int count) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    // VMASKMOVPS: masked-off lanes are neither read nor written; edge tiles only (full tiles of a fused update through
    // these ran W2's step 12% slower without AVX-512 on Zen 4). Watched (a fused update, always accumulating): v − v of
    // the product and of the new C summed for the lanes inside the tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreMasked(float* c, Vector256<float> value, Vector256<float> mask, bool accumulate, Vector256<float> s,
        float* watch, ref Vector256<float> products, ref Vector256<float> values)
    {
        if (watch != null)
        {
            var updated = Fma.MultiplyAdd(value, s, Avx.MaskLoad(c, mask));
            Avx.MaskStore(c, mask, updated);
            products += (value - value) & mask;
            values += (updated - updated) & mask;
            return;
        }
        if (accumulate)
            value = Fma.MultiplyAdd(value, s, Avx.MaskLoad(c, mask));
        Avx.MaskStore(c, mask, value);
    }

    // Accumulating: one rounding of product·s + C (s = 1 gives the plain sum, bit for bit).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector256<float> value, bool accumulate, Vector256<float> s)
    {
        if (accumulate)
            value = Fma.MultiplyAdd(value, s, Avx.LoadVector256(c));
        Avx.Store(c, value);
    }

    private static unsafe void AddToWatch(float* watch, Vector256<float> products, Vector256<float> values)
    {
        Avx.Store(watch, Avx.LoadVector256(watch) + products);
        Avx.Store(watch + FiniteWatch.ValuesOffset, Avx.LoadVector256(watch + FiniteWatch.ValuesOffset) + values);
    }
}
