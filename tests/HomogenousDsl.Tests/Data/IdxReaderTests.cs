using System.IO.Compression;
using HomogenousDsl.Data;

namespace HomogenousDsl.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsRawAndGzipFiles(bool gzip)
    {
        var raw = IdxBytes.Build([3, 2, 4], IdxBytes.Sequence(24));
        string path = _dir.Write("cube.idx", gzip ? IdxBytes.Gzip(raw) : raw);

        var array = IdxReader.Read(path);

        Assert.Equal([3, 2, 4], array.Dimensions);
        Assert.Equal(IdxBytes.Sequence(24), array.Data);
        Assert.Equal(path, array.Source);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsStreamsThatCannotSeek(bool gzip)
    {
        var raw = IdxBytes.Build([5], [9, 8, 7, 6, 5]);
        // A deflate decompressor is a forward-only stream, like a network or pipe stream.
        using var packed = new MemoryStream();
        using (var deflate = new DeflateStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(gzip ? IdxBytes.Gzip(raw) : raw);
        packed.Position = 0;
        using var forwardOnly = new DeflateStream(packed, CompressionMode.Decompress);

        var array = IdxReader.Read(forwardOnly, "piped labels");

        Assert.Equal([9, 8, 7, 6, 5], array.Data);
        Assert.Equal("piped labels", array.Source);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        string path = _dir.File("absent-idx1-ubyte.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Contains("absent-idx1-ubyte.gz", e.Message);
    }

    public static TheoryData<string, byte[], string> BadFiles() => new()
    {
        { "empty", [], "the file is empty" },
        { "empty gzip", IdxBytes.Gzip([]), "the file is empty" },
        { "short magic", [0, 0, 8], "file truncated: expected a 4-byte IDX magic number, found 3 bytes" },
        { "wrong magic", [1, 0, 8, 1, 0, 0, 0, 1, 0], "(two zero bytes, element type, dimension count), found 0x01000801" },
        { "float type", IdxBytes.Build([1], [0, 0, 0, 0], type: 0x0D), "expected element type 0x08 (unsigned byte), found 0x0D (32-bit float)" },
        { "no dimensions", IdxBytes.Build([], []), "expected 1 to 4 dimensions, found 0" },
        { "five dimensions", IdxBytes.Build([1, 1, 1, 1, 1], [0]), "expected 1 to 4 dimensions, found 5" },
        { "short dimensions", [0, 0, 8, 2, 0, 0, 0, 1, 0, 0], "file truncated: expected 2 dimension sizes (8 bytes) after the magic number, found 6 bytes" },
        { "negative size", IdxBytes.Build([2, -3], []), "expected positive dimension sizes, found -3 for dimension 1" },
        { "zero size", IdxBytes.Build([0], []), "expected positive dimension sizes, found 0 for dimension 0" },
        { "too large", IdxBytes.Build([65536, 65536], []), "dimensions 65,536×65,536 describe more than" },
        { "short data", IdxBytes.Build([10000, 28, 28], new byte[1234]), "file truncated: header says 10,000×28×28 = 7,840,000 bytes of data, found 1,234" },
        { "short gzip data", IdxBytes.Gzip(IdxBytes.Build([4, 2], new byte[5])), "file truncated: header says 4×2 = 8 bytes of data, found 5" },
        { "cut-off gzip", IdxBytes.Gzip(IdxBytes.Build([1000], RandomBytes(1000)))[..^100], "file truncated: header says 1,000 bytes of data, found " },
        { "trailing bytes", [.. IdxBytes.Build([2], [1, 2]), 0, 0, 0], "expected the file to end after 2 bytes of data, found 3 more bytes" },
        { "trailing gzip bytes", IdxBytes.Gzip([.. IdxBytes.Build([2], [1, 2]), 0]), "found 1 more bytes" },
    };

    // Random bytes do not compress, so cutting the end off the gzip file cuts into the IDX data.
    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(1).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFilesNameTheFileAndTheProblem(string name, byte[] bytes, string expected)
    {
        string path = _dir.Write($"{name}.idx", bytes);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CorruptGzipIsADataFormatErrorNamingTheFile()
    {
        var gzip = IdxBytes.Gzip(IdxBytes.Build([64], IdxBytes.Sequence(64)));
        // Bytes 10.. are the deflate stream; 0xFF there is an invalid block type.
        for (int i = 10; i < gzip.Length - 8; i++)
            gzip[i] = 0xFF;
        string path = _dir.Write("corrupt-images.gz", gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));

        Assert.Contains("corrupt-images.gz: corrupt gzip data", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }
}
