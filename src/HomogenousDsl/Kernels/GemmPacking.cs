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

    /// <summary>dst[p·NR + j] = B(p0 + p, j0 + j) for p &lt; kc, j &lt; cols; zero for cols ≤ j &lt; NR.</summary>
    public static void PackB(in OffsetMatrix b, int p0, int kc, int j0, int cols, float* dst)
    {
        int* rowOff = b.RowOffsets + p0;
        int* colOff = b.ColumnOffsets + j0;
        if (cols == NR && IsRun(colOff, NR))
        {
            float* src = b.Source + colOff[0];
            for (int p = 0; p < kc; p++, dst += NR)
            {
                float* s = src + rowOff[p];
                Avx512F.Store(dst, Avx512F.LoadVector512(s));
                Avx512F.Store(dst + 16, Avx512F.LoadVector512(s + 16));
            }
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
        if (b.Overread && longest >= 4)
        {
            for (int p = 0; p < kc; p++, dst += NR)
            {
                float* s = b.Source + rowOff[p];
                for (int r = 0; r < runs; r++)
                    Avx512F.Store(dst + runStart[r], Avx512F.LoadVector512(s + runSource[r]));
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
        int breaks = 0;
        for (int p = 1; p < kc; p++)
            breaks += colOff[p] != colOff[p - 1] + 1 ? 1 : 0;
        if (breaks == 0)
        {
            for (int r = 0; r < rows; r++)
                Copy(a.Source + rowOff[r] + colOff[0], dst + r * RS, kc);
        }
        else if (a.Overread && kc >= 4 * (breaks + 1))
        {
            // Runs along p (pixels of one image row, for im2col): copy each run in register-wide pieces, overshoot overwritten later.
            for (int r = 0; r < rows; r++)
            {
                float* s = a.Source + rowOff[r];
                float* d = dst + r * RS;
                for (int p = 0; p < kc;)
                {
                    int length = 1;
                    while (p + length < kc && length < 16 && colOff[p + length] == colOff[p] + length)
                        length++;
                    Avx512F.Store(d + p, Avx512F.LoadVector512(s + colOff[p]));
                    p += length;
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
        for (int r = rows; r < MR; r++)
            new Span<float>(dst + r * RS, kc).Clear();
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
            Avx512F.Store(dst + i, Avx512F.LoadVector512(src + i));
        for (; i < count; i++)
            dst[i] = src[i];
    }
}
