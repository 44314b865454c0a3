using HomogenousDsl.Kernels;

namespace HomogenousDsl.Tests.Kernels;

/// <summary>
/// Row tiles claimed by threads in any order and any grouping (SplitGemm's claimed split) against the packed GEMM:
/// bit for bit, for A read in place (row-major, or k-major with close steps), packed k-major or packed row by row,
/// across k blocks, overwriting and accumulating.
/// </summary>
public sealed unsafe class WholeBGemmTests
{
    [Theory]
    [InlineData(37, 64, 784)]   // W2's forward at a ragged height, four k blocks
    [InlineData(64, 100, 70)]
    [InlineData(21, 33, 300)]
    [InlineData(8, 1, 9)]
    public void AnyClaimOrderEqualsThePackedProduct(int m, int n, int k)
    {
        if (!PackedGemm.IsAvailable)
            return;
        float[] a = TestData.Random(m * k, 61), b = TestData.Random(k * n, 62), c0 = TestData.Random(m * n, 63);
        int[] rowMajorRows = Offsets(m, k), rowMajorColumns = Offsets(k, 1), columnMajorRows = Offsets(m, 1), columnMajorColumns = Offsets(k, m);
        int[] bRows = Offsets(k, n), bColumns = Offsets(n, 1);
        float[] transposedA = new float[a.Length];
        for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++)
            transposedA[p * m + i] = a[i * k + p];
        // Claims as a thread pair might make them: the owner's pairs from the front, a thief's from the back, a ragged end.
        int tiles = (m + 7) / 8;
        var claims = Enumerable.Range(0, (tiles + 1) / 2).Select(t => (First: 2 * t, Count: Math.Min(2, tiles - 2 * t))).Reverse().ToArray();

        // The same transposed A with its k steps over 1 KB apart.
        int wide = GemmPacking.MaxInPlaceKStep + 8;
        float[] wideA = new float[k * wide];
        for (int p = 0; p < k; p++)
            transposedA.AsSpan(p * m, m).CopyTo(wideA.AsSpan(p * wide));
        int[] wideColumns = Offsets(k, wide);
        fixed (float* pa = a, pat = transposedA, pwide = wideA, pb = b)
        fixed (int* rr = rowMajorRows, rc = rowMajorColumns, cr = columnMajorRows, cc = columnMajorColumns, br = bRows, bc = bColumns, wc = wideColumns)
        {
            var bMatrix = new OffsetMatrix(pb, br, bc, columnStride: 1);
            var operands = new[]
            {
                new OffsetMatrix(pa, rr, rc, columnStride: 1),    // read in place
                new OffsetMatrix(pat, cr, cc, columnStride: m),   // k-major, full tiles read in place (steps ≤ 1 KB)
                new OffsetMatrix(pwide, cr, wc, columnStride: wide), // k-major tiles, packed by copies
                new OffsetMatrix(pat, cr, cc),                    // packed row by row
            };
            foreach (var aMatrix in operands)
            foreach (var accumulate in new[] { false, true })
            {
                float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                fixed (float* pe = expected, pc = actual)
                {
                    PackedGemm.Multiply(aMatrix, bMatrix, pe, n, m, n, k, accumulate);
                    float* packedB = WholeBGemm.Pack(bMatrix, n, k);
                    foreach (var (first, count) in claims)
                        WholeBGemm.MultiplyRows(aMatrix, packedB, pc, n, first * 8, Math.Min(m, (first + count) * 8), n, k, accumulate);
                }
                Assert.Equal(expected, actual);
            }
        }
    }

    /// <summary>Owners claim from the front of their share, thieves from the back: every tile exactly once, nothing past the end.</summary>
    [Theory]
    [InlineData(32, 2, 1)]
    [InlineData(25, 3, 2)]
    [InlineData(3, 3, 3)]
    public void ClaimsCoverEveryTileOnce(int tiles, int shards, int seed)
    {
        var random = new Random(seed);
        var unclaimed = new long[shards];
        for (var s = 0; s < shards; s++)
        {
            var (first, end) = SplitGemm.Part(tiles * 8, 8, s, shards);
            unclaimed[s] = SplitGemm.Range(first / 8, end / 8);
        }
        var taken = new int[tiles];
        // Threads interleave at random; a thread works through its own share first, then the others'.
        var victim = new int[shards];
        var done = new bool[shards];
        while (done.Contains(false))
        {
            var s = random.Next(shards);
            if (done[s])
                continue;
            var share = (s + victim[s]) % shards;
            if (SplitGemm.TryClaim(ref unclaimed[share], fromFront: victim[s] == 0, out var tile, out var count))
            {
                Assert.InRange(count, 1, tiles);
                for (var t = tile; t < tile + count; t++)
                    taken[t]++;
            }
            else if (++victim[s] == shards)
                done[s] = true;
        }
        Assert.All(taken, count => Assert.Equal(1, count));
    }

    private static int[] Offsets(int count, int stride) => Enumerable.Range(0, count).Select(i => i * stride).ToArray();
}
