namespace HomogenousDsl.Kernels;

/// <summary>Where the micro-kernel reads an A tile from, which decides how (and whether) it is packed.</summary>
internal enum ATileSource
{
    /// <summary>
    /// The operand itself: eight row-major rows evenly spaced (weights, a batch of adjoints), or eight adjacent columns of
    /// a column-major one whose k steps are close (<see cref="GemmPacking.ReadsKMajorInPlace"/>). Nothing to pack.
    /// </summary>
    InPlace,

    /// <summary>A packed k-major tile: the operand is column-major, so each k step's entries are copied as one run.</summary>
    KMajor,

    /// <summary>A packed tile of rows (<see cref="GemmMicroKernel.RowStride"/> apart): any other operand.</summary>
    Rows,
}

/// <summary>The micro-kernel's view of one A tile: A(r, p) = Data[r·Lda + p·KStep].</summary>
internal readonly unsafe struct ATile(float* data, nint lda, nint kStep, ATileSource source)
{
    public readonly float* Data = data;
    public readonly nint Lda = lda;
    public readonly nint KStep = kStep;
    public readonly ATileSource Source = source;

    /// <summary>
    /// The tile at rows i0.. (of which <paramref name="rows"/> exist) of k block p0 of a product with <paramref name="n"/>
    /// columns: the operand in place where it can be read so, else <paramref name="slot"/> in the layout its packing
    /// produces. The one rule both GEMM drivers use.
    /// </summary>
    public static ATile Locate(in OffsetMatrix a, int i0, int rows, int p0, int n, float* slot)
    {
        if (rows == GemmMicroKernel.Rows && GemmPacking.InPlaceStride(a, i0) is var stride and > 0)
            return new ATile(a.Source + a.RowOffsets[i0] + a.ColumnOffsets[p0], stride, 1, ATileSource.InPlace);
        if (GemmPacking.ReadsKMajorInPlace(a, i0, rows, n))
            return new ATile(a.Source + a.RowOffsets[i0] + a.ColumnOffsets[p0], 1, a.ColumnStride, ATileSource.InPlace);
        if (GemmPacking.IsKMajor(a, i0, rows))
            return new ATile(slot, 1, GemmMicroKernel.Rows, ATileSource.KMajor);
        return new ATile(slot, GemmMicroKernel.RowStride, 1, ATileSource.Rows);
    }

    /// <summary>Packs this one tile into its slot (nothing for a tile read in place).</summary>
    public void Pack(in OffsetMatrix a, int i0, int rows, int p0, int kc)
    {
        if (Source == ATileSource.KMajor)
            GemmPacking.PackAKMajor(a, i0, rows, p0, kc, Data, null);
        else if (Source == ATileSource.Rows)
            GemmPacking.PackA(a, i0, rows, p0, kc, Data);
    }
}
