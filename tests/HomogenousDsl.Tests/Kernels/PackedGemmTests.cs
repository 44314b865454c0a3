using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// The packed GEMM against a double reference on sizes chosen to hit its edges: partial row tiles (m not a multiple of
/// 8) and column panels (n not a multiple of 32), k across the 256-wide k blocks (C accumulating across blocks), n across
/// the 512-column B blocks, strided and transposed operands (k-major A tiles read in place, or packed four, two or one
/// at a time), overwrite and accumulate.
/// </summary>
public sealed unsafe class PackedGemmTests
{
    /// <summary>(m, n, k) around tile, panel, k-block and n-block boundaries.</summary>
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 8, 32, 1 }, { 7, 31, 5 }, { 9, 33, 17 }, { 8, 32, 256 }, { 13, 45, 257 }, { 16, 64, 512 },
        { 3, 513, 300 }, { 21, 545, 19 }, { 35, 70, 513 }, { 40, 100, 800 }, { 33, 1100, 70 }, { 17, 600, 520 },
        // Transposed A, k steps at most 1 KB apart: full k-major tiles read in place over one column block; packed in
        // groups of four and kept over several.
        { 77, 97, 300 }, { 104, 530, 40 },
        // Transposed A, k steps over 1 KB apart, packed: eight groups of four k-major tiles then a pair with a partial
        // tile; eleven groups kept over B blocks.
        { 269, 97, 300 }, { 360, 530, 40 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void RowMajorOperandsMatchReference(int m, int n, int k) => Check(m, n, k, transposeA: false, transposeB: false);

    [Theory, MemberData(nameof(Shapes))]
    public void TransposedOperandsMatchReference(int m, int n, int k) => Check(m, n, k, transposeA: true, transposeB: true);

    [Theory, MemberData(nameof(Shapes))]
    public void MixedOperandsMatchReference(int m, int n, int k)
    {
        Check(m, n, k, transposeA: true, transposeB: false);
        Check(m, n, k, transposeA: false, transposeB: true);
    }

    /// <summary>
    /// A row-major A with evenly spaced rows is read in place by the micro-kernel, any other A is packed first: both
    /// orders of work are the same, so the products agree bit for bit; rows out of order (not evenly spaced) still match
    /// the reference.
    /// </summary>
    [Theory]
    [InlineData(16, 64, 300)]
    [InlineData(21, 45, 257)]
    public void InPlaceAndPackedATilesAgree(int m, int n, int k)
    {
        if (!PackedGemm.IsAvailable)
            return;
        int lda = k + 3;
        float[] a = TestData.Random(m * lda, 7), b = TestData.Random(k * n, 8);
        float[] inPlace = new float[m * n], packed = new float[m * n], permuted = new float[m * n];
        int[] aRows = Offsets(m, lda), aCols = Offsets(k, 1), bRows = Offsets(k, n), bCols = Offsets(n, 1);
        int[] order = Enumerable.Range(0, m).Reverse().ToArray();
        int[] reversedRows = order.Select(i => i * lda).ToArray();
        fixed (float* pa = a, pb = b, c1 = inPlace, c2 = packed, c3 = permuted)
        fixed (int* ar = aRows, ac = aCols, br = bRows, bc = bCols, rr = reversedRows)
        {
            var bMatrix = new OffsetMatrix(pb, br, bc, columnStride: 1);
            PackedGemm.Multiply(new OffsetMatrix(pa, ar, ac, columnStride: 1), bMatrix, c1, n, m, n, k, accumulate: false);
            PackedGemm.Multiply(new OffsetMatrix(pa, ar, ac), bMatrix, c2, n, m, n, k, accumulate: false);
            PackedGemm.Multiply(new OffsetMatrix(pa, rr, ac, columnStride: 1), bMatrix, c3, n, m, n, k, accumulate: false);
        }
        Assert.Equal(packed, inPlace);
        for (int i = 0; i < m; i++)
            Assert.Equal(inPlace.AsSpan(order[i] * n, n).ToArray(), permuted.AsSpan(i * n, n).ToArray());
    }

    /// <summary>
    /// A column-major A (a transposed operand) is read in place where its k steps are at most 1 KB apart (C one column
    /// block wide, 512-bit kernels), packed k-major by copies where they are further apart, and packed row by row when
    /// its stride is not declared: the same entries meet the same FMA chains every way, so all three products agree bit
    /// for bit, ragged last tile included.
    /// </summary>
    [Theory]
    [InlineData(21, 45, 257)]
    [InlineData(64, 64, 256)]
    public void KMajorATilesInPlaceOrPackedAgree(int m, int n, int k)
    {
        if (!PackedGemm.IsAvailable)
            return;
        int close = m + 3, far = GemmPacking.MaxInPlaceKStep + 5;
        float[] a = TestData.Random(k * far, 12), b = TestData.Random(k * n, 13);
        float[] inPlace = new float[m * n], packedKMajor = new float[m * n], packedRows = new float[m * n];
        int[] rows = Offsets(m, 1), closeColumns = Offsets(k, close), farColumns = Offsets(k, far), bRows = Offsets(k, n), bCols = Offsets(n, 1);
        fixed (float* pa = a, pb = b, c1 = inPlace, c2 = packedKMajor, c3 = packedRows)
        fixed (int* ar = rows, cc = closeColumns, fc = farColumns, br = bRows, bc = bCols)
        {
            var bMatrix = new OffsetMatrix(pb, br, bc, columnStride: 1);
            // The close operand's entries, copied to the far one's places: the same matrix stored two ways.
            for (int p = 0; p < k; p++)
                new Span<float>(pa + p * close, m).CopyTo(new Span<float>(pa + p * far, m));
            var closeA = new OffsetMatrix(pa, ar, cc, columnStride: close);
            var farA = new OffsetMatrix(pa, ar, fc, columnStride: far);
            const int MR = GemmMicroKernel.Rows;
            // On 512-bit hardware; the AVX2 kernel packs them all.
            Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, GemmPacking.ReadsKMajorInPlace(closeA, 0, MR, n));
            Assert.False(GemmPacking.ReadsKMajorInPlace(farA, 0, MR, n));
            Assert.False(GemmPacking.ReadsKMajorInPlace(closeA, 0, MR, PackedGemm.BlockColumns + 1), "kept over column blocks: packed");
            Assert.False(GemmPacking.ReadsKMajorInPlace(closeA, 0, MR - 3, n), "a ragged tile is packed");
            PackedGemm.Multiply(closeA, bMatrix, c1, n, m, n, k, accumulate: false);
            PackedGemm.Multiply(farA, bMatrix, c2, n, m, n, k, accumulate: false);
            PackedGemm.Multiply(new OffsetMatrix(pa, ar, cc), bMatrix, c3, n, m, n, k, accumulate: false);
        }
        Assert.Equal(packedKMajor, inPlace);
        Assert.Equal(packedRows, inPlace);
    }

    /// <summary>
    /// A block packed row by row across its panels (contiguous B rows) is the same memory as the block packed panel by
    /// panel: full panels, a partial last panel, rows unevenly spaced, a k range that starts inside B.
    /// </summary>
    [Theory]
    [InlineData(64, 70, 0, 300)]
    [InlineData(1, 96, 3, 2)]
    [InlineData(17, 100, 5, 64)]
    [InlineData(256, 448, 0, 1024)]
    public void BlockPackingMatchesPanelPacking(int kc, int cols, int p0, int j0)
    {
        if (!PackedGemm.IsAvailable)
            return;
        const int NR = GemmMicroKernel.Columns;
        int rows = p0 + kc, ld = j0 + cols + 7, panels = (cols + NR - 1) / NR;
        float[] b = TestData.Random(rows * ld + ld, 11);
        // Row p starts p·ld + p·(p % 3) in: rows that are not evenly spaced.
        int[] rowOffsets = Enumerable.Range(0, rows).Select(p => p * ld + (p % 3)).ToArray(), columnOffsets = Offsets(j0 + cols, 1);
        float[] byBlock = TestData.Filled(panels * NR * kc + GemmPacking.Slack, float.NaN), byPanel = (float[])byBlock.Clone();
        fixed (float* pb = b, d1 = byBlock, d2 = byPanel)
        fixed (int* ro = rowOffsets, co = columnOffsets)
        {
            var matrix = new OffsetMatrix(pb, ro, co, columnStride: 1);
            GemmPacking.PackBBlock(matrix, p0, kc, j0, cols, d1);
            for (int u = 0; u < panels; u++)
                GemmPacking.PackB(matrix, p0, kc, j0 + u * NR, Math.Min(NR, cols - u * NR), d2 + u * NR * kc);
        }
        Assert.Equal(byPanel.AsSpan(0, panels * NR * kc).ToArray(), byBlock.AsSpan(0, panels * NR * kc).ToArray());
    }

    /// <summary>
    /// A row-major B over 4 MB streams from memory and packs in blocks of at most 192 columns (W4's 3,136-column input
    /// adjoint, or a thread's 1,568 of it), any other B in blocks of at most 512; both balanced in whole panels.
    /// </summary>
    [Fact]
    public void StreamingBPacksInNarrowerBlocks()
    {
        Assert.Equal(192, PackedGemm.BlockWidth(3136, streams: true));
        Assert.Equal(192, PackedGemm.BlockWidth(1568, streams: true));
        Assert.Equal(448, PackedGemm.BlockWidth(3136, streams: false));
        Assert.Equal(416, PackedGemm.BlockWidth(1568, streams: false));
        Assert.Equal(160, PackedGemm.BlockWidth(300, streams: true));
        Assert.Equal(100, PackedGemm.BlockWidth(100, streams: true));
        int[] rows = Offsets(1024, 3136), columns = Offsets(3136, 1);
        fixed (int* r = rows, c = columns)
        {
            Assert.True(PackedGemm.StreamsB(new OffsetMatrix(null, r, c, columnStride: 1), 1568, 1024));
            // W3's 1024 × 1024 weights (4 MB) stay in L3; a transposed B gathers, it does not stream rows.
            Assert.False(PackedGemm.StreamsB(new OffsetMatrix(null, r, c, columnStride: 1), 1024, 1024));
            Assert.False(PackedGemm.StreamsB(new OffsetMatrix(null, r, c, columnStride: 3136), 3136, 1024));
        }
    }

    /// <summary>
    /// A streaming B (1,030 rows × 1,100 columns: five k blocks of 206, six column blocks, the last 140 wide with a
    /// ragged panel) gives the bits of the same product computed one 32-column panel at a time, where no B streams:
    /// the block width moves no element's arithmetic. The product also matches the double reference.
    /// </summary>
    [Fact]
    public void StreamingBMatchesPanelByPanel()
    {
        if (!PackedGemm.IsAvailable)
            return;
        const int m = 19, n = 1100, k = 1030, NR = GemmMicroKernel.Columns;
        float[] a = TestData.Random(m * k, 21), b = TestData.Random(k * n, 22);
        float[] whole = new float[m * n], byPanel = new float[m * n];
        int[] aRows = Offsets(m, k), aCols = Offsets(k, 1), bRows = Offsets(k, n), bCols = Offsets(n, 1);
        fixed (float* pa = a, pb = b, c1 = whole, c2 = byPanel)
        fixed (int* ar = aRows, ac = aCols, br = bRows, bc = bCols)
        {
            var aMatrix = new OffsetMatrix(pa, ar, ac, columnStride: 1);
            var bMatrix = new OffsetMatrix(pb, br, bc, columnStride: 1);
            Assert.True(PackedGemm.StreamsB(bMatrix, n, k));
            PackedGemm.Multiply(aMatrix, bMatrix, c1, n, m, n, k, accumulate: false);
            for (int j = 0; j < n; j += NR)
            {
                var panel = new OffsetMatrix(pb, br, bc + j, columnStride: 1);
                Assert.False(PackedGemm.StreamsB(panel, Math.Min(NR, n - j), k));
                PackedGemm.Multiply(aMatrix, panel, c2 + j, n, m, Math.Min(NR, n - j), k, accumulate: false);
            }
        }
        Assert.Equal(byPanel, whole);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            expected[i * n + j] += (double)a[i * k + p] * b[p * n + j];
        TestData.AssertClose(expected, whole);
    }

    /// <summary>
    /// A and B stored transposed or not, with padded leading dimensions (so rows are not adjacent), C with a wider row stride
    /// whose gap must stay untouched; C first overwritten, then accumulated onto.
    /// </summary>
    private static void Check(int m, int n, int k, bool transposeA, bool transposeB)
    {
        if (!PackedGemm.IsAvailable)
            return;
        int lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 5, ldc = n + 2;
        float[] a = TestData.Random((transposeA ? k : m) * lda, m + 1), b = TestData.Random((transposeB ? n : k) * ldb, n + 2);
        float[] c = TestData.Filled(m * ldc, float.NaN);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
                sum += (double)a[transposeA ? p * lda + i : i * lda + p] * b[transposeB ? j * ldb + p : p * ldb + j];
            expected[i * n + j] = sum;
        }

        int[] aRows = Offsets(m, transposeA ? 1 : lda), aCols = Offsets(k, transposeA ? lda : 1);
        int[] bRows = Offsets(k, transposeB ? 1 : ldb), bCols = Offsets(n, transposeB ? ldb : 1);
        fixed (float* pa = a, pb = b, pc = c)
        fixed (int* ar = aRows, ac = aCols, br = bRows, bc = bCols)
        {
            // Offsets inspected by the packer, then the same offsets with their column stride declared up front.
            PackedGemm.Multiply(new OffsetMatrix(pa, ar, ac), new OffsetMatrix(pb, br, bc), pc, ldc, m, n, k, accumulate: false);
            AssertBlock(expected, c, m, n, ldc, 1);
            PackedGemm.Multiply(new OffsetMatrix(pa, ar, ac), new OffsetMatrix(pb, br, bc), pc, ldc, m, n, k, accumulate: true);
            AssertBlock(expected, c, m, n, ldc, 2);
            var declaredA = new OffsetMatrix(pa, ar, ac, columnStride: transposeA ? lda : 1);
            var declaredB = new OffsetMatrix(pb, br, bc, columnStride: transposeB ? ldb : 1);
            PackedGemm.Multiply(declaredA, declaredB, pc, ldc, m, n, k, accumulate: false);
            AssertBlock(expected, c, m, n, ldc, 1);
        }
    }

    private static void AssertBlock(double[] expected, float[] c, int m, int n, int ldc, double factor)
    {
        var actual = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            c.AsSpan(i * ldc, n).CopyTo(actual.AsSpan(i * n));
            for (int j = n; j < ldc; j++)
                Assert.True(float.IsNaN(c[i * ldc + j]), "the gap between C rows was written");
        }
        TestData.AssertClose(expected.Select(e => factor * e).ToArray(), actual);
    }

    private static int[] Offsets(int count, int stride) => Enumerable.Range(0, count).Select(i => i * stride).ToArray();
}
