using HomogenousDsl.Data;

namespace HomogenousDsl.Tests.Data;

/// <summary>
/// Sets of 8-bit values scaled to [0, 1] are kept a second time as bytes for the batch gather; decoding must give the
/// very floats of the set, and any other set must be refused.
/// </summary>
public sealed class ByteCodedFeaturesTests
{
    /// <summary>Every code in rows of 37 (whole registers of 16 and of 8, and a scalar tail): decoded bit for bit.</summary>
    [Fact]
    public void DecodedRowsAreTheFeaturesBitForBit()
    {
        const int rowSize = 37, rows = 9;
        var features = new float[rowSize * rows];
        for (var i = 0; i < features.Length; i++)
            features[i] = (i * 7 % 256) / 255f;
        var coded = ByteCodedFeatures.TryEncode(features, rowSize);
        Assert.NotNull(coded);
        var row = new float[rowSize + 3];
        for (var r = 0; r < rows; r++)
        {
            row.AsSpan().Fill(-1f);
            coded.Decode(r, row);
            for (var i = 0; i < rowSize; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(features[r * rowSize + i]), BitConverter.SingleToInt32Bits(row[i]));
            Assert.Equal(-1f, row[rowSize]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => coded.Decode(rows, row));
        Assert.Throws<ArgumentException>(() => coded.Decode(0, new float[rowSize - 1]));
    }

    /// <summary>
    /// Written past the caches (the split batch gather), from every start within a 64-byte line: the same floats, and
    /// nothing outside the row.
    /// </summary>
    [Theory]
    [InlineData(37)]
    [InlineData(784)]
    public unsafe void RowsWrittenPastTheCachesAreTheSameFloats(int rowSize)
    {
        var features = new float[rowSize * 3];
        for (var i = 0; i < features.Length; i++)
            features[i] = (i * 11 % 256) / 255f;
        var coded = ByteCodedFeatures.TryEncode(features, rowSize);
        Assert.NotNull(coded);
        var buffer = GC.AllocateArray<float>(rowSize + 64, pinned: true);
        fixed (float* start = buffer)
        {
            var aligned = (int)(((64 - ((nuint)start & 63)) & 63) / sizeof(float));
            for (var offset = 0; offset < 16; offset++)
            for (var r = 0; r < 3; r++)
            {
                buffer.AsSpan().Fill(-1f);
                var destination = buffer.AsSpan(aligned + offset, rowSize);
                coded.Decode(r, destination, nonTemporal: true);
                if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
                    System.Runtime.Intrinsics.X86.Sse.StoreFence();
                for (var i = 0; i < rowSize; i++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(features[r * rowSize + i]), BitConverter.SingleToInt32Bits(destination[i]));
                Assert.All(buffer[..(aligned + offset)], v => Assert.Equal(-1f, v));
                Assert.All(buffer[(aligned + offset + rowSize)..], v => Assert.Equal(-1f, v));
            }
        }
    }

    [Theory]
    [InlineData(0.5f)]            // 127.5 / 255
    [InlineData(1.0000001f)]      // above 1
    [InlineData(-1f / 255f)]
    [InlineData(-0f)]             // a different float from k / 255 = 0
    [InlineData(0.3f)]            // close to 76.5 / 255, not a code
    public void SetsWithAnyOtherValueAreNotCoded(float odd)
    {
        var features = Enumerable.Range(0, 64).Select(k => k / 255f).ToArray();
        features[41] = odd;
        Assert.Null(ByteCodedFeatures.TryEncode(features, 8));
    }

    [Fact]
    public void LoadedImagesAreCodedAndOtherSetsAreNot()
    {
        var digits = MnistLoader.TwoClass(EmbeddedDigits.Load(), 3, 5, maxPerClass: 20);
        Assert.NotNull(digits.ByteCoded);
        var points = Dataset.Binary("points", [0.25f, 0.5f, 1f / 3f, 0.75f], [2], [1, -1]);
        Assert.Null(points.ByteCoded);
    }
}
