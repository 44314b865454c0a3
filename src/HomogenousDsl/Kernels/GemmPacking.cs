using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Copies blocks of an <see cref="OffsetMatrix"/> into the layouts <see cref="GemmMicroKernel"/> reads: A tiles as
/// Rows rows of kc floats (row stride <see cref="GemmMicroKernel.RowStride"/>), B panels as kc rows of Columns floats.
/// Missing rows/columns of edge tiles are zero-filled. Contiguous runs move as whole registers; scattered elements
/// (a transposed operand) move one by one, which is the cheap side whenever the caller orients the product well.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns, RS = GemmMicroKernel.RowStride;

    /// <summary>Floats a B panel may write past its kc·Columns floats (a register-wide run copy's overshoot).</summary>
    public const int Slack = 16;

    // Rows ahead that PackBBlock prefetches: a row's first lines are in flight before the copy reaches its new page.
    private const int Lookahead = 3;

    /// <summary>
    /// The panels of B's columns j0 … j0 + cols − 1 (panel u at dst + u·NR·kc, the last one partial), as
    /// <see cref="PackB"/> packs them one by one. Where B's rows are contiguous, full panels are filled row by row
    /// across the block, so each source row streams as one run, and the rows a few ahead are prefetched: read panel by
    /// panel, a row-major weight matrix with rows 4–12 KB apart touched a new page per row and per panel, faster than
    /// the hardware prefetcher follows (W4's 3,136 × 1,024 input adjoint: 131 → 156 GFLOP/s).
    /// </summary>
    public static void PackBBlock(in OffsetMatrix b, int p0, int kc, int j0, int cols, float* dst)
    {
        int fullPanels = cols / NR;
        if (b.ColumnStride == 1 && fullPanels >= 2)
        {
            int* rowOff = b.RowOffsets + p0;
            float* src = b.Source + b.ColumnOffsets[j0];
            long panelStride = (long)NR * kc;
            for (int p = 0; p < kc; p++)
            {
                float* s = src + rowOff[p];
                float* d = dst + p * NR;
                nint ahead = p + Lookahead < kc ? rowOff[p + Lookahead] - rowOff[p] : 0;
                for (int u = 0; u < fullPanels; u++, s += NR, d += panelStride)
                {
                    Sse.Prefetch0(s + ahead);
                    Sse.Prefetch0(s + ahead + 16);
                    Copy16(s, d);
                    Copy16(s + 16, d + 16);
                }
            }
            if (cols > fullPanels * NR)
                PackB(b, p0, kc, j0 + fullPanels * NR, cols - fullPanels * NR, dst + fullPanels * panelStride);
            return;
        }
        for (int u = 0; u * NR < cols; u++)
            PackB(b, p0, kc, j0 + u * NR, Math.Min(NR, cols - u * NR), dst + (long)u * NR * kc);
    }

    /// <summary>dst[p·NR + j] = B(p0 + p, j0 + j) for p &lt; kc, j &lt; cols; zero for cols ≤ j &lt; NR.</summary>
    public static void PackB(in OffsetMatrix b, int p0, int kc, int j0, int cols, float* dst)
    {
        int* rowOff = b.RowOffsets + p0;
        int* colOff = b.ColumnOffsets + j0;
        if (cols == NR && (b.ColumnStride == 1 || (b.ColumnStride == 0 && IsRun(colOff, NR))))
        {
            float* src = b.Source + colOff[0];
            for (int p = 0; p < kc; p++, dst += NR)
            {
                float* s = src + rowOff[p];
                Copy16(s, dst);
                Copy16(s + 16, dst + 16);
            }
            return;
        }

        if (cols == NR && (b.ColumnStride > 1 || (b.ColumnStride == 0 && IsAffine(colOff, NR, colOff[1] - colOff[0]))))
        {
            PackTransposed(b, rowOff, kc, colOff[0], colOff[1] - colOff[0], dst);
            return;
        }

        // Runs of consecutive source columns, split at 16 so one register load covers each.
        int* runStart = stackalloc int[NR];
        int* runSource = stackalloc int[NR];
        int runs = 0, longest = 0;
        for (int j = 0; j < cols;)
        {
            int length = 1;
            while (j + length < cols && length < 16 && colOff[j + length] == colOff[j] + length)
                length++;
            runStart[runs] = j;
            runSource[runs++] = colOff[j];
            longest = Math.Max(longest, length);
            j += length;
        }

        // Register copies overshoot each run; later runs (and the next row) overwrite the overshoot, so runs go in order.
        if (b.Overread && longest >= 4 && runs <= 4 && cols == NR)
        {
            // The common im2col panel (≤ 4 image-row runs): runs in registers, padded to four by repeating the last,
            // which rewrites identical values and so changes nothing.
            for (int r = runs; r < 4; r++)
                (runStart[r], runSource[r]) = (runStart[runs - 1], runSource[runs - 1]);
            int d0 = runStart[0], d1 = runStart[1], d2 = runStart[2], d3 = runStart[3];
            float* s0 = b.Source + runSource[0], s1 = b.Source + runSource[1], s2 = b.Source + runSource[2], s3 = b.Source + runSource[3];
            for (int p = 0; p < kc; p++, dst += NR)
            {
                int row = rowOff[p];
                Copy16(s0 + row, dst + d0);
                Copy16(s1 + row, dst + d1);
                Copy16(s2 + row, dst + d2);
                Copy16(s3 + row, dst + d3);
            }
            return;
        }
        if (b.Overread && longest >= 4)
        {
            for (int p = 0; p < kc; p++, dst += NR)
            {
                float* s = b.Source + rowOff[p];
                for (int r = 0; r < runs; r++)
                    Copy16(s + runSource[r], dst + runStart[r]);
                for (int j = cols; j < NR; j++)
                    dst[j] = 0f;
            }
            return;
        }

        for (int p = 0; p < kc; p++, dst += NR)
        {
            float* s = b.Source + rowOff[p];
            for (int j = 0; j < cols; j++)
                dst[j] = s[colOff[j]];
            for (int j = cols; j < NR; j++)
                dst[j] = 0f;
        }
    }

    /// <summary>dst[r·RowStride + p] = A(i0 + r, p0 + p) for r &lt; rows, p &lt; kc; zero rows for rows ≤ r &lt; Rows.</summary>
    public static void PackA(in OffsetMatrix a, int i0, int rows, int p0, int kc, float* dst)
    {
        int* rowOff = a.RowOffsets + i0;
        int* colOff = a.ColumnOffsets + p0;
        if (a.ColumnStride == 1)
        {
            for (int r = 0; r < rows; r++)
                Copy(a.Source + rowOff[r] + colOff[0], dst + r * RS, kc);
            ClearRows(dst, rows, kc);
            return;
        }
        if (a.ColumnStride > 1 && rows == MR && IsRun(rowOff, MR))
        {
            // A transposed operand whose tile rows are adjacent in the source: 8×8 register transposes.
            float* s = a.Source + rowOff[0] + colOff[0];
            int p = 0;
            for (; p + 8 <= kc; p += 8)
                Transpose.Block8(s + p * a.ColumnStride, a.ColumnStride, dst + p, RS);
            for (; p < kc; p++)
            {
                for (int r = 0; r < MR; r++)
                    dst[r * RS + p] = s[p * a.ColumnStride + r];
            }
            return;
        }

        // Runs of consecutive source columns, split at 16 so one register load covers each; found once for all rows.
        int* runStart = stackalloc int[RS + 1];
        int runs = 0;
        for (int p = 0; p < kc;)
        {
            int length = 1;
            while (p + length < kc && length < 16 && colOff[p + length] == colOff[p] + length)
                length++;
            runStart[runs++] = p;
            p += length;
        }
        if (IsRun(colOff, kc))
        {
            for (int r = 0; r < rows; r++)
                Copy(a.Source + rowOff[r] + colOff[0], dst + r * RS, kc);
        }
        else if (a.Overread && kc >= 4 * runs)
        {
            // Runs along p (pixels of one image row, for im2col): one register per run, its overshoot overwritten by the next.
            for (int r = 0; r < rows; r++)
            {
                float* s = a.Source + rowOff[r];
                float* d = dst + r * RS;
                for (int t = 0; t < runs; t++)
                {
                    int p = runStart[t];
                    Copy16(s + colOff[p], d + p);
                }
            }
        }
        else
        {
            // A transposed operand: rows are adjacent in the source, so read along r and write along p.
            for (int p = 0; p < kc; p++)
            {
                float* s = a.Source + colOff[p];
                for (int r = 0; r < rows; r++)
                    dst[r * RS + p] = s[rowOff[r]];
            }
        }
        ClearRows(dst, rows, kc);
    }

    /// <summary>
    /// True when the tile at rows i0.. of a transposed operand (a column-major A: the tile's rows adjacent in the source,
    /// its k steps a stride apart) packs by <see cref="PackAKMajor"/>: plain copies instead of 8 × 8 transposes.
    /// </summary>
    public static bool IsKMajor(in OffsetMatrix a, int i0, int rows)
        => a.ColumnStride > 1 && IsRun(a.RowOffsets + i0, rows);

    /// <summary>
    /// dst[p·Rows + r] = A(i0 + r, p0 + p) for r &lt; min(rows, Rows), p &lt; kc, zero for the missing rows: the k-major
    /// tile the micro-kernel reads with lda 1 and kStep <see cref="GemmMicroKernel.Rows"/>. With up to 2·Rows rows the
    /// next tile goes to <paramref name="next"/> in the same pass: a k step's sixteen entries are one cache line of a
    /// column-major source, read once for both tiles (its lines are a row apart and evict each other between passes).
    /// </summary>
    public static void PackAKMajor(in OffsetMatrix a, int i0, int rows, int p0, int kc, float* dst, float* next)
    {
        float* s = a.Source + a.RowOffsets[i0] + a.ColumnOffsets[p0];
        nint stride = a.ColumnStride;
        if (rows == 2 * MR)
        {
            for (int p = 0; p < kc; p++, s += stride, dst += MR, next += MR)
            {
                Avx.Store(dst, Avx.LoadVector256(s));
                Avx.Store(next, Avx.LoadVector256(s + MR));
            }
            return;
        }
        if (rows >= MR)
        {
            // Lanes past the rows are neither read nor written by the masked load, and stored as zeros.
            var tail = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(rows - MR)).AsSingle();
            for (int p = 0; p < kc; p++, s += stride, dst += MR)
            {
                Avx.Store(dst, Avx.LoadVector256(s));
                if (next != null)
                    Avx.Store(next + p * MR, Avx.MaskLoad(s + MR, tail));
            }
            return;
        }
        var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(rows)).AsSingle();
        for (int p = 0; p < kc; p++, s += stride, dst += MR)
            Avx.Store(dst, Avx.MaskLoad(s, mask));
    }

    /// <summary>
    /// <paramref name="tiles"/> full k-major tiles at rows i0.. in one pass, tile t to dst + t·Rows·RowStride: each k step
    /// reads tiles·Rows adjacent floats of a column-major source. Its k steps are a row apart (4 KB for W3's Wᵀ), so
    /// every step is a new page, where the hardware prefetcher does not follow, and a pair of tiles read one line per
    /// page visit; four read two (W3: packing Wᵀ fell from 3.7% to 2.1% of the one-thread step; eight were slower).
    /// </summary>
    public static void PackAKMajorTiles(in OffsetMatrix a, int i0, int tiles, int p0, int kc, float* dst)
    {
        float* s = a.Source + a.RowOffsets[i0] + a.ColumnOffsets[p0];
        nint stride = a.ColumnStride;
        const int slot = MR * RS;
        for (int p = 0; p < kc; p++, s += stride, dst += MR)
        {
            for (int t = 0; t < tiles; t++)
                Avx.Store(dst + t * slot, Avx.LoadVector256(s + t * MR));
        }
    }

    /// <summary>Widest k step, in floats, at which a full k-major A tile is read in place (1 KB: four steps to a page).</summary>
    public const int MaxInPlaceKStep = 256;

    /// <summary>
    /// True when the full k-major tile at rows i0.. of a product with <paramref name="n"/> columns is read where it lies
    /// (lda 1, kStep the column stride) rather than packed. A packed entry serves one panel per 32 columns of C, which
    /// for a training batch's side is two to sixteen: W2's input adjoint through its second layer (Wᵀ, steps 1 KB apart,
    /// two panels) ran at 143–154 GFLOP/s packed and 173–203 in place, and its 128- and 256-sample forms 2–5% faster.
    /// Over several column blocks the packed tile is kept and serves them all: W4's dY, read in place across 3,136
    /// columns, only slowed the micro-kernel. With steps 4 KB apart (W3's Wᵀ) every step is a new page and the copy wins
    /// (see <see cref="PackAKMajorTiles"/>). 512-bit kernels only: the AVX2 kernel reads each A tile in three passes
    /// (see <see cref="GemmMicroKernel.RunNarrow"/>), and there W2 lost 2.5% (thirteen pairs).
    /// </summary>
    public static bool ReadsKMajorInPlace(in OffsetMatrix a, int i0, int rows, int n)
        => Vector512.IsHardwareAccelerated && rows == MR && n <= PackedGemm.BlockColumns && a.ColumnStride <= MaxInPlaceKStep
           && IsKMajor(a, i0, rows);

    /// <summary>
    /// The row stride with which the micro-kernel can read the full A tile at rows i0.. in place (row-major rows evenly
    /// spaced in the source), or 0 when it must be packed.
    /// </summary>
    public static int InPlaceStride(in OffsetMatrix a, int i0)
    {
        if (a.ColumnStride != 1)
            return 0;
        int* rowOff = a.RowOffsets + i0;
        int stride = rowOff[1] - rowOff[0];
        return stride > 0 && IsAffine(rowOff, MR, stride) ? stride : 0;
    }

    /// <summary>
    /// Starts loading the A tile at rows i0.. (contiguous columns only) into cache while the current tile computes: every
    /// line of an A that <paramref name="streams"/> from memory, otherwise every other line, whose neighbour the L2's
    /// adjacent-line prefetcher brings along. A line-by-line burst (8 rows × 13 lines a tile for W2) over an A already
    /// in L2 or L3 stalled the loads it was meant to help: every other line ran W2 3.3% and W3 2.0% faster on one thread
    /// (twelve alternating pairs), none at all 2.1% and 1.2%; but W4's 12.8 MB of dense weights and W5's whole-set
    /// samples, read from memory, lost 1–4% with fewer.
    /// </summary>
    public static void PrefetchA(in OffsetMatrix a, int i0, int rows, int p0, int kc, bool streams)
    {
        if (a.ColumnStride != 1)
            return;
        int step = streams ? 64 : 128;
        for (int r = 0; r < rows; r++)
        {
            byte* s = (byte*)(a.Source + a.RowOffsets[i0 + r] + a.ColumnOffsets[p0]);
            for (int offset = 0; offset < kc * sizeof(float); offset += step)
                Sse.Prefetch0(s + offset);
        }
    }

    private static void ClearRows(float* dst, int rows, int kc)
    {
        for (int r = rows; r < MR; r++)
            new Span<float>(dst + r * RS, kc).Clear();
    }

    /// <summary>
    /// A full panel whose columns are evenly spaced (a transposed operand): wherever 16 consecutive packed rows are also
    /// adjacent in the source, load 16 of them per column and transpose 16×16 in registers; otherwise element by element.
    /// </summary>
    private static void PackTransposed(in OffsetMatrix b, int* rowOff, int kc, int firstColumn, int columnStride, float* dst)
    {
        float* src = b.Source + firstColumn;
        int p = 0;
        for (; p + 16 <= kc; p += 16)
        {
            if (rowOff[15] - rowOff[0] != 15 || !IsRun(rowOff, 16))
            {
                for (int q = 0; q < 16; q++)
                    GatherRow(src + rowOff[q], columnStride, dst + q * NR);
            }
            else
            {
                if (p + 48 <= kc && rowOff[32] - rowOff[0] == 32)
                {
                    // Each column is a sample row read in 64-byte steps: 32 streams, more than the hardware prefetcher
                    // follows when the rows come from memory (a whole-set evaluation): fetch two blocks ahead.
                    float* ahead = src + rowOff[32];
                    for (int j = 0; j < NR; j++)
                        Sse.Prefetch0(ahead + j * columnStride);
                }
                Transpose.Block16(src + rowOff[0], columnStride, dst, NR, null);
                Transpose.Block16(src + rowOff[0] + 16 * columnStride, columnStride, dst + 16, NR, null);
            }
            rowOff += 16;
            dst += 16 * NR;
        }
        for (; p < kc; p++, rowOff++, dst += NR)
            GatherRow(src + rowOff[0], columnStride, dst);
    }

    private static void GatherRow(float* s, int stride, float* d)
    {
        for (int j = 0; j < NR; j++)
            d[j] = s[j * stride];
    }

    private static bool IsAffine(int* offsets, int count, int stride)
    {
        int first = offsets[0];
        for (int i = 1; i < count; i++)
        {
            if (offsets[i] != first + i * stride)
                return false;
        }
        return true;
    }

    private static bool IsRun(int* offsets, int count)
    {
        int first = offsets[0];
        for (int i = 1; i < count; i++)
        {
            if (offsets[i] != first + i)
                return false;
        }
        return true;
    }

    private static void Copy(float* src, float* dst, int count)
    {
        int i = 0;
        for (; i <= count - 16; i += 16)
            Copy16(src + i, dst + i);
        for (; i < count; i++)
            dst[i] = src[i];
    }

    /// <summary>
    /// Copies 16 floats: one 512-bit register where there are such, else two 256-bit ones (a JIT-time choice). The unit
    /// of every run copy in packing, whose overshoot past a run the next copy overwrites.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy16(float* source, float* destination)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Store(Vector512.Load(source), destination);
        }
        else
        {
            Vector256<float> low = Avx.LoadVector256(source), high = Avx.LoadVector256(source + 8);
            Avx.Store(destination, low);
            Avx.Store(destination + 8, high);
        }
    }
}
