namespace HomogenousDsl.Kernels;

/// <summary>
/// The packed GEMM in tile-major order, for products whose B operand (a training batch's side) is small enough to pack
/// whole: B is packed once for every k block, then any range of C's rows is computed to the end, k block after k block,
/// with <see cref="PackedGemm"/>'s blocking, so every element equals <see cref="PackedGemm.Multiply"/>'s bit for bit.
/// Threads can therefore take row tiles a few at a time from a shared counter (<see cref="SplitGemm"/>), which evens
/// out cores that run at different paces or start late, without a barrier between k blocks.
/// </summary>
internal static unsafe class WholeBGemm
{
    private const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns, KC = GemmMicroKernel.RowStride;

    /// <summary>Largest whole packed B, in floats (512 KB: half of a Zen 5 L2, leaving room for A tiles and C).</summary>
    private const long MaxFloats = 128 * 1024;

    /// <summary>True when B of an n-column, k-row product packs whole within the budget.</summary>
    public static bool Fits(int n, int k) => (long)k * Panels(n) * NR <= MaxFloats;

    /// <summary>Grows this thread's buffers to what <see cref="Pack"/> and <see cref="MultiplyRows"/> need for this shape.</summary>
    public static void Reserve(int n, int k)
    {
        GemmWorkspace workspace = GemmWorkspace.Current;
        workspace.Floats(FloatSlot.PackedB, Floats(n, k));
        workspace.Floats(FloatSlot.PackedA, 2L * MR * KC);
    }

    /// <summary>Floats a whole packed B of an n-column, k-row product takes, slack included.</summary>
    public static long Floats(int n, int k) => (long)k * Panels(n) * NR + GemmPacking.Slack;

    /// <summary>Packs every k block of B: block pc's panel u lies at pc·panels·Columns + u·kc·Columns.</summary>
    public static float* Pack(in OffsetMatrix b, int n, int k)
    {
        float* packed = GemmWorkspace.Current.Floats(FloatSlot.PackedB, Floats(n, k));
        PackInto(b, n, k, packed);
        return packed;
    }

    /// <summary><see cref="Pack"/> into <paramref name="packed"/>, which holds <see cref="Floats"/>(n, k) floats.</summary>
    public static void PackInto(in OffsetMatrix b, int n, int k, float* packed)
    {
        int panels = Panels(n), kcMax = PackedGemm.BlockDepth(k);
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            GemmPacking.PackBBlock(b, pc, kc, 0, n, packed + (long)pc * panels * NR);
        }
    }

    /// <summary>
    /// Rows [<paramref name="first"/>, <paramref name="end"/>) of C (+)= A·B over B packed by <see cref="Pack"/>;
    /// <paramref name="first"/> is a multiple of the tile height. Tiles go in pairs so k-major A tiles pack together.
    /// <paramref name="scale"/> and <paramref name="watch"/> make it a fused update, as in <see cref="PackedGemm.Multiply"/>.
    /// </summary>
    public static void MultiplyRows(in OffsetMatrix a, float* packedB, float* c, nint ldc, int first, int end, int n, int k, bool accumulate,
        float scale = 1f, float* watch = null)
    {
        PackedGemm.CheckFusedUpdate(k, accumulate, scale, watch);
        int panels = Panels(n), kcMax = PackedGemm.BlockDepth(k);
        float* packedA = GemmWorkspace.Current.Floats(FloatSlot.PackedA, 2L * MR * KC);
        for (int ic = first; ic < end; ic += 2 * MR)
        {
            int pairRows = Math.Min(2 * MR, end - ic);
            bool kMajorPair = pairRows > MR && GemmPacking.IsKMajor(a, ic, pairRows) && !GemmPacking.ReadsKMajorInPlace(a, ic, MR, n);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                bool add = accumulate || pc > 0;
                float* block = packedB + (long)pc * panels * NR;
                if (kMajorPair)
                    GemmPacking.PackAKMajor(a, ic, pairRows, pc, kc, packedA, packedA + MR * KC);
                for (int t = 0; t < pairRows; t += MR)
                {
                    int row = ic + t, rows = Math.Min(MR, end - row);
                    var aTile = ATile.Locate(a, row, rows, pc, n, packedA + (t == 0 ? 0 : MR * KC));
                    if (!kMajorPair)
                        aTile.Pack(a, row, rows, pc, kc);
                    float* cRow = c + row * ldc;
                    for (int u = 0; u < panels; u++)
                        GemmMicroKernel.Run(aTile.Data, aTile.Lda, aTile.KStep, block + (long)u * NR * kc, kc, cRow + u * NR, ldc, rows, Math.Min(NR, n - u * NR), add,
                            scale, watch);
                }
            }
        }
    }

    private static int Panels(int n) => (n + NR - 1) / NR;
}
