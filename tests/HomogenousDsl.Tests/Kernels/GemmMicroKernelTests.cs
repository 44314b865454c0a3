using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Both register tiles of the packed GEMM, the 512-bit one and the AVX2 one (3 × 32, 3 × 32 and 2 × 32 blocks), against the exact
/// scalar chain every element of C is defined as: fused multiply-adds from zero over p in order, then the old C added.
/// Equality is bitwise, so the two builds give the same products. Every tile height and width, the three A layouts
/// (packed rows, rows read in place with their own stride, k-major), overwrite and accumulate; nothing outside the
/// tile's rows and columns is written. The fused update (C += s·product, watched) is the same chain rounded once more,
/// as <c>MathF.FusedMultiplyAdd(chain, s, old)</c>, and its watch turns NaN exactly when a product or a new C is not finite.
/// </summary>
public sealed unsafe class GemmMicroKernelTests
{
    private const int MR = GemmMicroKernel.Rows, NR = GemmMicroKernel.Columns;
    private const float Sentinel = 12345f;

    public static TheoryData<int, bool> Depths => new() { { 1, false }, { 7, true }, { 64, false }, { 256, true } };

    [Theory, MemberData(nameof(Depths))]
    public void WideTileIsTheScalarChain(int kc, bool accumulate)
    {
        if (!Vector512.IsHardwareAccelerated)
            return;
        ForEveryTile(kc, accumulate, GemmMicroKernel.RunWide);
    }

    [Theory, MemberData(nameof(Depths))]
    public void NarrowTileIsTheScalarChain(int kc, bool accumulate)
    {
        if (!Vector256.IsHardwareAccelerated || !Fma.IsSupported)
            return;
        ForEveryTile(kc, accumulate, GemmMicroKernel.RunNarrow);
    }

    [Theory, InlineData(1), InlineData(64), InlineData(256)]
    public void WideFusedUpdateIsTheChainAddedOnceScaled(int kc)
    {
        if (!Vector512.IsHardwareAccelerated)
            return;
        ForEveryTile(kc, accumulate: true, GemmMicroKernel.RunWide, scale: -0.037f);
    }

    [Theory, InlineData(1), InlineData(64), InlineData(256)]
    public void NarrowFusedUpdateIsTheChainAddedOnceScaled(int kc)
    {
        if (!Vector256.IsHardwareAccelerated || !Fma.IsSupported)
            return;
        ForEveryTile(kc, accumulate: true, GemmMicroKernel.RunNarrow, scale: -0.037f);
    }

    /// <summary>
    /// The watch of a fused update: untouched by finite tiles; a NaN or ∞ inside the tile marks the products (and so the
    /// new C); a finite product that overflows C marks only the new values; a NaN outside the tile's columns marks nothing.
    /// </summary>
    [Theory, InlineData(true), InlineData(false)]
    public void FusedUpdateWatchesWhatWentNonFinite(bool wide)
    {
        if (KernelFor(wide) is not Kernel kernel)
            return;
        const int kc = 16;
        foreach (var (rows, cols) in new[] { (MR, NR), (5, 21) })
        {
            Assert.Equal((true, true), Watch(kernel, kc, rows, cols, scale: 0.5f, poison: null));
            Assert.Equal((false, false), Watch(kernel, kc, rows, cols, scale: 0.5f, poison: (3, float.NaN)));
            Assert.Equal((false, false), Watch(kernel, kc, rows, cols, scale: 0.5f, poison: (cols - 1, float.PositiveInfinity)));
            Assert.Equal((true, false), Watch(kernel, kc, rows, cols, scale: 3e38f, poison: null));
            if (cols < NR)
                Assert.Equal((true, true), Watch(kernel, kc, rows, cols, scale: 0.5f, poison: (cols, float.NaN)));
        }
    }

    /// <summary>
    /// A NaN in one row of A reaches only the block of the tile that computes that row (the AVX2 tile has three), so
    /// each block must mark the watch itself, on the full tile's unmasked path.
    /// </summary>
    [Theory, InlineData(true), InlineData(false)]
    public void FusedUpdateWatchesEveryRowOfAFullTile(bool wide)
    {
        if (KernelFor(wide) is not Kernel kernel)
            return;
        const int kc = 16;
        for (int row = 0; row < MR; row++)
        {
            float[] a = TestData.Random(MR * GemmMicroKernel.RowStride, 31), b = TestData.Random(kc * NR, 32), c = TestData.Random(MR * NR, 33);
            a[row * GemmMicroKernel.RowStride + 5] = float.NaN;
            float[] watch = new float[2 * FiniteWatch.ValuesOffset];
            fixed (float* pa = a, pb = b, pc = c, pw = watch)
                kernel(pa, GemmMicroKernel.RowStride, 1, pb, kc, pc, NR, MR, NR, true, 0.5f, pw);
            Assert.True(float.IsNaN(watch.Take(FiniteWatch.ValuesOffset).Sum()), $"products of row {row}");
            Assert.True(float.IsNaN(watch.Skip(FiniteWatch.ValuesOffset).Sum()), $"new values of row {row}");
        }
    }

    [Fact]
    public void AFusedUpdateOverSeveralBlocksOfKIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedGemm.CheckFusedUpdate(GemmMicroKernel.RowStride + 1, accumulate: true, -0.5f, null));
        Assert.Contains("at most 256 steps of k", error.Message);
        Assert.Throws<ArgumentException>(() => PackedGemm.CheckFusedUpdate(64, accumulate: false, -0.5f, null));
        PackedGemm.CheckFusedUpdate(GemmMicroKernel.RowStride, accumulate: true, -0.5f, null);
    }

    // Runs one fused tile with B column `poison.Column` set to a value; returns (products finite, new values finite).
    private static (bool, bool) Watch(Kernel kernel, int kc, int rows, int cols, float scale, (int Column, float Value)? poison)
    {
        float[] a = TestData.Random(MR * GemmMicroKernel.RowStride, 31), b = TestData.Random(kc * NR, 32), c = TestData.Random(MR * NR, 33);
        if (poison is var (column, value))
            b[2 * NR + column] = value;
        if (scale > 1f)
            Array.Fill(c, 3e38f);
        float[] watch = new float[2 * FiniteWatch.ValuesOffset];
        fixed (float* pa = a, pb = b, pc = c, pw = watch)
            kernel(pa, GemmMicroKernel.RowStride, 1, pb, kc, pc, NR, rows, cols, true, scale, pw);
        return (watch.Take(FiniteWatch.ValuesOffset).Sum() == 0f, watch.Skip(FiniteWatch.ValuesOffset).Sum() == 0f);
    }

    // The 512-bit or the AVX2 tile, or null where this machine cannot run it.
    private static Kernel? KernelFor(bool wide) => wide
        ? Vector512.IsHardwareAccelerated ? GemmMicroKernel.RunWide : null
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmMicroKernel.RunNarrow : null;

    private delegate void Kernel(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate,
        float scale, float* watch);

    private static void ForEveryTile(int kc, bool accumulate, Kernel kernel, float? scale = null)
    {
        const int ldc = NR + 5, inPlaceLda = 300;
        float[] values = TestData.Random(MR * Math.Max(inPlaceLda, GemmMicroKernel.RowStride), 21), b = TestData.Random(kc * NR, 22);
        float[] old = TestData.Random((MR + 2) * ldc, 23);
        foreach (var (lda, kStep) in new (nint, nint)[] { (GemmMicroKernel.RowStride, 1), (inPlaceLda, 1), (1, MR) })
        for (int rows = 1; rows <= MR; rows++)
        for (int cols = 1; cols <= NR; cols++)
        {
            // One row of C above and below the tile, and columns past it: none may change.
            float[] c = new float[(MR + 2) * ldc];
            for (int i = 0; i < c.Length; i++)
                c[i] = i < ldc || i >= (rows + 1) * ldc || i % ldc >= cols ? Sentinel : old[i];
            float[] watch = new float[2 * FiniteWatch.ValuesOffset];
            fixed (float* pa = values, pb = b, pc = c, pw = watch)
                kernel(pa, lda, kStep, pb, kc, pc + ldc, ldc, rows, cols, accumulate, scale ?? 1f, scale is null ? null : pw);
            Assert.All(watch, sum => Assert.Equal(0f, sum));
            for (int r = 0; r < MR + 2; r++)
            for (int j = 0; j < ldc; j++)
            {
                int i = r * ldc + j;
                bool inside = r >= 1 && r <= rows && j < cols;
                float expected = !inside ? Sentinel
                    : scale is float s ? MathF.FusedMultiplyAdd(Chain(values, (int)lda, (int)kStep, b, kc, r - 1, j, null), s, old[i])
                    : Chain(values, (int)lda, (int)kStep, b, kc, r - 1, j, accumulate ? old[i] : (float?)null);
                if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(expected))
                    Assert.Fail($"lda {lda}, kStep {kStep}, {rows}×{cols} tile, kc {kc}: C[{r - 1}, {j}] = {c[i]:R}, expected {expected:R}");
            }
        }
    }

    private static float Chain(float[] a, int lda, int kStep, float[] b, int kc, int row, int column, float? old)
    {
        float sum = 0f;
        for (int p = 0; p < kc; p++)
            sum = MathF.FusedMultiplyAdd(a[row * lda + p * kStep], b[p * NR + column], sum);
        return old is float c ? sum + c : sum;
    }
}
