using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Both register tiles of the packed GEMM, the 512-bit one and the AVX2 one (four 4 × 16 quarters), against the exact
/// scalar chain every element of C is defined as: fused multiply-adds from zero over p in order, then the old C added.
/// Equality is bitwise, so the two builds give the same products. Every tile height and width, the three A layouts
/// (packed rows, rows read in place with their own stride, k-major), overwrite and accumulate; nothing outside the
/// tile's rows and columns is written.
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

    private delegate void Kernel(float* a, nint lda, nint kStep, float* b, int kc, float* c, nint ldc, int rows, int cols, bool accumulate);

    private static void ForEveryTile(int kc, bool accumulate, Kernel kernel)
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
            fixed (float* pa = values, pb = b, pc = c)
                kernel(pa, lda, kStep, pb, kc, pc + ldc, ldc, rows, cols, accumulate);
            for (int r = 0; r < MR + 2; r++)
            for (int j = 0; j < ldc; j++)
            {
                int i = r * ldc + j;
                bool inside = r >= 1 && r <= rows && j < cols;
                float expected = inside ? Chain(values, (int)lda, (int)kStep, b, kc, r - 1, j, accumulate ? old[i] : (float?)null) : Sentinel;
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
