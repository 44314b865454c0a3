namespace HomogenousDsl.Kernels;

/// <summary>
/// A read-only matrix view M(i, j) = Source[RowOffsets[i] + ColumnOffsets[j]]. One description covers a row-major
/// matrix, its transpose, and the im2col matrix of a padded image (rows: channel and tap; columns: sample and pixel),
/// so the GEMM packs all of them with the same code. Pointers reference pinned memory for the duration of a call.
/// </summary>
internal readonly unsafe struct OffsetMatrix(float* source, int* rowOffsets, int* columnOffsets, bool overread = false, int columnStride = 0)
{
    public readonly float* Source = source;
    public readonly int* RowOffsets = rowOffsets;
    public readonly int* ColumnOffsets = columnOffsets;

    /// <summary>
    /// True when at least 16 floats past every addressed element may be read (a buffer this library owns and padded),
    /// which lets packing copy short contiguous runs with whole-register loads.
    /// </summary>
    public readonly bool Overread = overread;

    /// <summary>
    /// When non-zero, a promise that ColumnOffsets[j] = ColumnOffsets[0] + j·ColumnStride for every j, so packing skips
    /// looking for runs: 1 is a row-major operand, anything else a transposed one. Zero: irregular (im2col), inspect.
    /// </summary>
    public readonly int ColumnStride = columnStride;

    /// <summary>The same matrix from row <paramref name="first"/> on (a thread's share of a product cut by rows).</summary>
    public OffsetMatrix FromRow(int first) => new(Source, RowOffsets + first, ColumnOffsets, Overread, ColumnStride);

    /// <summary>The same matrix from column <paramref name="first"/> on (a thread's share of a product cut by columns).</summary>
    public OffsetMatrix FromColumn(int first) => new(Source, RowOffsets, ColumnOffsets + first, Overread, ColumnStride);

    /// <summary>Fills offsets[i] = i·stride for i &lt; count.</summary>
    public static void Affine(int* offsets, int count, int stride)
    {
        for (int i = 0; i < count; i++)
            offsets[i] = i * stride;
    }
}
