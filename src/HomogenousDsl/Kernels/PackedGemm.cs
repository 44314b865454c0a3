using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Kernels;

/// <summary>
/// Blocked GEMM over packed panels: C (m×n, row stride ldc) = or += A·B with A, B any <see cref="OffsetMatrix"/> views.
/// Loop order (outer to inner): k blocks of ≤ RowStride, so a packed A tile (8 rows × kc, 8 KB) stays in L1; n blocks
/// of <see cref="BlockColumns"/> (<see cref="StreamingBlockColumns"/> for a B read from memory), whose packed B block
/// (kc × nc ≤ 512 KB) stays in L2; then one A tile at a time swept
/// across every B panel of the block. A full A tile whose rows are row-major and evenly spaced (weights, a batch of
/// adjoints) is read in place rather than copied: the copy cost as much as the tile's reuse saved. A column-major A
/// (a transposed operand: Wᵀ, a batch-major dYᵀ) is read in place too where its k steps are at most 1 KB apart and C
/// has one column block, and otherwise packs into k-major tiles by plain copies, four tiles per pass; other A
/// tiles pack row by row. Packed tiles are kept for every n block of their k block (a weight gradient over 784–3,136
/// inputs). For 512-bit or AVX2 + FMA hardware (<see cref="IsAvailable"/>); <see cref="IsWorthwhile"/> says when packing pays.
/// </summary>
internal static unsafe class PackedGemm
{
    private const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns, KC = GemmMicroKernel.RowStride;

    /// <summary>Columns per packed B block.</summary>
    public const int BlockColumns = 512;

    /// <summary>
    /// Columns per packed B block where B streams from memory (a row-major B over 4 MB: W4's dense weights as its
    /// input adjoint's B, 12.8 MB), measured, not derived: W4's input adjoint on two threads (416-column blocks, 416 KB
    /// packed) ran 203–234 GFLOP/s in the <c>layer</c> command, with 192-column blocks 245–279 (160 to 256 columns:
    /// 228–270; 64: no gain); one thread moved within its noise. Why only two threads gain is not settled (each block's
    /// source lines pass through L2 on their way into it). Prefetching the next block's lines while this one computes
    /// lost 6–43%.
    /// </summary>
    public const int StreamingBlockColumns = 192;

    // Floats of A (4 MB) beyond which it is taken to stream from memory: W4's dense weights (12.8 MB, 6.4 MB a thread)
    // do; W3's largest (1024 × 1024, exactly 4 MB) stays in L3.
    private const long StreamingFloats = 1L << 20;

    // K-major A tiles packed in one pass (see GemmPacking.PackAKMajorTiles), so the slots an A not kept needs.
    private const int TileGroup = 4;

    /// <summary>
    /// True where the micro-kernel has registers to run in: 512-bit ones, or 256-bit ones with FMA (AVX2 machines).
    /// </summary>
    public static bool IsAvailable => Vector512.IsHardwareAccelerated || (Vector256.IsHardwareAccelerated && Fma.IsSupported);

    /// <summary>
    /// True when the packed path is available and large enough to repay packing: below these sizes (W1's 2→100 layers,
    /// a one-output layer) the simple loops in <see cref="Gemm"/> win because packing and edge tiles dominate.
    /// </summary>
    public static bool IsWorthwhile(int m, int n, int k)
        => IsAvailable && m >= MR / 2 && n >= NR / 2 && k >= 8 && (long)m * n * k >= 1L << 15;

    /// <summary>
    /// Grows this thread's packing buffers to what an m × n × k product needs. A thread that computes a share of a
    /// product reserves for the whole one first, so shares that move between threads from step to step never
    /// allocate in the middle of a run.
    /// </summary>
    public static void Reserve(int m, int n, int k)
    {
        if (m <= 0 || n <= 0 || k <= 0)
            return;
        // Any m' ≤ m, n' ≤ n: A keeps at most every tile of m (and only when n spans several column blocks); a B block
        // is at most one block of columns wide, whatever the balancing of n' makes of it.
        int kcMax = BlockDepth(k), tiles = (m + MR - 1) / MR;
        GemmWorkspace workspace = GemmWorkspace.Current;
        workspace.Floats(FloatSlot.PackedA, (long)MR * KC * Math.Max(TileGroup, n > BlockColumns ? tiles : 0));
        workspace.Floats(FloatSlot.PackedB, (long)kcMax * Math.Min((n + NR - 1) / NR * NR, BlockColumns) + GemmPacking.Slack);
    }

    /// <summary>
    /// The k blocking every driver of the micro-kernel shares: balanced blocks of at most RowStride (784 → 4 × 196, not
    /// 3 × 256 + 16). Products split or reordered give the same bits only because they all block k this way.
    /// </summary>
    public static int BlockDepth(int k)
    {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /// <summary>
    /// Columns of each packed B block of an n-column product (the last may be narrower): blocks of at most
    /// <see cref="BlockColumns"/>, or <see cref="StreamingBlockColumns"/> where B <paramref name="streams"/>, balanced
    /// and in whole panels. Only which columns share a block depends on it, never an element's bits.
    /// </summary>
    internal static int BlockWidth(int n, bool streams)
    {
        int width = streams ? StreamingBlockColumns : BlockColumns;
        int nBlocks = (n + width - 1) / width;
        return Math.Min(n, ((n + nBlocks - 1) / nBlocks + NR - 1) / NR * NR);
    }

    /// <summary>True where B is packed from a row-major source too large to be in cache (see <see cref="StreamingBlockColumns"/>).</summary>
    internal static bool StreamsB(in OffsetMatrix b, int n, int k) => b.ColumnStride == 1 && (long)k * n > StreamingFloats;

    // The blocking of an m × n × k product and this thread's buffers for it.
    private static void Buffers(int m, int n, int k, bool packsB, bool bStreams, out int kcMax, out int ncMax, out bool keepA, out float* packedA,
        out float* packedB)
    {
        GemmWorkspace workspace = GemmWorkspace.Current;
        kcMax = BlockDepth(k);
        ncMax = BlockWidth(n, bStreams);
        int nBlocks = (n + ncMax - 1) / ncMax;
        // With several column blocks, every packed A tile of a k block serves each of them: pack it once, keep them all.
        int tiles = (m + MR - 1) / MR;
        keepA = nBlocks > 1;
        packedA = workspace.Floats(FloatSlot.PackedA, (long)MR * KC * (keepA ? tiles : TileGroup));
        packedB = packsB ? workspace.Floats(FloatSlot.PackedB, (long)kcMax * ((ncMax + NR - 1) / NR * NR) + GemmPacking.Slack) : null;
    }

    /// <summary>
    /// C (=, or with <paramref name="accumulate"/> +=) A·B. A <paramref name="scale"/> other than 1 or a
    /// <paramref name="watch"/> makes it a fused update, C += scale·(A·B), kept to products of one k block so that each
    /// element is the one product a separate update would have read (see <see cref="GemmMicroKernel"/>).
    /// <paramref name="wholeB"/>, where given, is all of B already packed in <see cref="WholeBGemm"/>'s layout (weights
    /// kept by <see cref="HeldPackedWeights"/>), read instead of packing B block by block. <paramref name="aStreams"/> says A
    /// comes from memory (the samples of a whole-set pass), as any A over 4 MB is taken to.
    /// </summary>
    public static void Multiply(in OffsetMatrix a, in OffsetMatrix b, float* c, nint ldc, int m, int n, int k, bool accumulate,
        float scale = 1f, float* watch = null, float* wholeB = null, bool aStreams = false)
    {
        if (m <= 0 || n <= 0)
            return;
        CheckFusedUpdate(k, accumulate, scale, watch);
        if (k <= 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                    new Span<float>(c + i * ldc, n).Clear();
            }
            return;
        }

        Buffers(m, n, k, packsB: wholeB == null, bStreams: wholeB == null && StreamsB(b, n, k), out int kcMax, out int ncMax, out bool keepA,
            out float* packedA, out float* packedB);
        // An A beyond a core's share of L3 comes from memory, and its next tile is fetched line by line.
        aStreams |= (long)m * k > StreamingFloats;
        int allPanels = (n + NR - 1) / NR;

        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            bool add = accumulate || pc > 0;
            for (int jc = 0; jc < n; jc += ncMax)
            {
                int nc = Math.Min(ncMax, n - jc);
                int panels = (nc + NR - 1) / NR;
                float* bBlock = packedB;
                if (wholeB != null)
                    bBlock = wholeB + (long)pc * allPanels * NR + (long)(jc / NR) * kc * NR;
                else
                    GemmPacking.PackBBlock(b, pc, kc, jc, nc, packedB);
                bool paired = false;
                int groupEnd = 0;
                for (int ic = 0; ic < m; ic += MR)
                {
                    int rows = Math.Min(MR, m - ic), tile = ic / MR;
                    paired &= (tile & 1) == 1;
                    // Kept tiles each have a slot; otherwise a group of slots, so k-major tiles can be packed together.
                    var aTile = ATile.Locate(a, ic, rows, pc, n, packedA + (long)(keepA ? tile : tile % TileGroup) * MR * KC);
                    if ((jc == 0 || !keepA) && ic >= groupEnd)
                    {
                        if (aTile.Source == ATileSource.KMajor && tile % TileGroup == 0 && m - ic >= TileGroup * MR
                            && GemmPacking.IsKMajor(a, ic, TileGroup * MR))
                        {
                            // Four full k-major tiles whose rows are adjacent in the source: one pass for all four.
                            GemmPacking.PackAKMajorTiles(a, ic, TileGroup, pc, kc, aTile.Data);
                            groupEnd = ic + TileGroup * MR;
                        }
                        else if (aTile.Source == ATileSource.KMajor && (tile & 1) == 0)
                        {
                            // A k step of two tiles is one cache line of the source: pack the pair in one pass.
                            int pairRows = Math.Min(2 * MR, m - ic);
                            paired = pairRows > MR && GemmPacking.IsKMajor(a, ic, pairRows);
                            GemmPacking.PackAKMajor(a, ic, paired ? pairRows : rows, pc, kc, aTile.Data, paired ? aTile.Data + MR * KC : null);
                        }
                        else if (!paired)
                            aTile.Pack(a, ic, rows, pc, kc);
                    }
                    if (ic + MR < m)
                        GemmPacking.PrefetchA(a, ic + MR, Math.Min(MR, m - ic - MR), pc, kc, aStreams);
                    float* cRow = c + ic * ldc + jc;
                    for (int u = 0; u < panels; u++)
                        GemmMicroKernel.Run(aTile.Data, aTile.Lda, aTile.KStep, bBlock + (long)u * NR * kc, kc, cRow + u * NR, ldc, rows, Math.Min(NR, nc - u * NR), add,
                            scale, watch);
                }
            }
        }
    }

    /// <summary>
    /// A fused update accumulates into its weights from one k block: a second block would add to weights already moved by
    /// the first, no longer the update of one whole product.
    /// </summary>
    internal static void CheckFusedUpdate(int k, bool accumulate, float scale, float* watch)
    {
        if ((scale != 1f || watch != null) && (!accumulate || k > KC))
            throw new ArgumentException($"A fused update accumulates a product of at most {KC} steps of k; this one has {k} and accumulate is {accumulate}.");
    }
}
