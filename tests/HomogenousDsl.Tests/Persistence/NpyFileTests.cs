using System.Buffers.Binary;
using System.Text;
using HomogenousDsl.Data;
using HomogenousDsl.Persistence;
using HomogenousDsl.Tests.Data;

namespace HomogenousDsl.Tests.Persistence;

public sealed class NpyFileTests : IDisposable
{
    // numpy.save of np.array([[1, 2, 3], [4.5, -0.0, 1e-40]], dtype='<f4'): magic, version 1.0, header length
    // 0x76, the header dictionary with 21 − 1 spaces of growth room and 38 of padding, a newline, then the data.
    private static readonly byte[] Fixture = Convert.FromHexString(
        "934E554D5059010076007B276465736372273A20273C6634272C2027666F7274" +
        "72616E5F6F72646572273A2046616C73652C20277368617065273A2028322C20" +
        "33292C207D202020202020202020202020202020202020202020202020202020" +
        "202020202020202020202020202020202020202020202020202020202020200A" +
        "0000803F00000040000040400000904000000080C2160100");

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string HeaderOf(byte[] file) =>
        Encoding.Latin1.GetString(file, 10, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)));

    [Theory]
    [InlineData(new int[0], "()", 62)]
    [InlineData(new[] { 5 }, "(5,)", 60)]
    [InlineData(new[] { 3, 4 }, "(3, 4)", 58)]
    [InlineData(new[] { 2, 3, 4, 5 }, "(2, 3, 4, 5)", 52)]
    public void HeaderIsExactlyNumpys(int[] shape, string tuple, int spaces)
    {
        string path = _dir.File("a.npy");
        NpyFile.Write(path, new float[shape.Aggregate(1, (a, b) => a * b)], shape);

        var file = File.ReadAllBytes(path);

        Assert.Equal([0x93, .. "NUMPY"u8, 1, 0], file[..8]);
        Assert.Equal($"{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}{new string(' ', spaces)}\n", HeaderOf(file));
        Assert.Equal(0, (10 + HeaderOf(file).Length) % 64);
    }

    [Fact]
    public void WritesTheFixtureByteForByteAndReadsItBack()
    {
        string path = _dir.File("fixture.npy");
        float[] values = [1, 2, 3, 4.5f, -0.0f, 1e-40f];

        NpyFile.Write(path, values, [2, 3]);
        var read = NpyFile.Read(_dir.Write("given.npy", Fixture));

        Assert.Equal(Fixture, File.ReadAllBytes(path));
        Assert.Equal([2, 3], read.Shape);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.Data.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void RoundTripKeepsEveryBit()
    {
        float[] values =
        [
            -0.0f, 0.0f, float.Epsilon, -1e-40f, 1.17549435e-38f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC00123), 1f / 3, -123456.79f,
        ];
        string path = _dir.File("bits.npy");

        NpyFile.Write(path, values, [3, 2, 2]);
        var read = NpyFile.Read(path);

        Assert.Equal([3, 2, 2], read.Shape);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.Data.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ScalarAndEmptyArraysRoundTrip()
    {
        string scalar = _dir.File("scalar.npy"), empty = _dir.File("empty.npy");

        NpyFile.Write(scalar, [42f], []);
        NpyFile.Write(empty, [], [0, 3]);

        Assert.Equal([42f], NpyFile.Read(scalar).Data);
        Assert.Empty(NpyFile.Read(scalar).Shape);
        Assert.Equal([0, 3], NpyFile.Read(empty).Shape);
        Assert.Empty(NpyFile.Read(empty).Data);
    }

    [Fact]
    public void WriteReplacesTheFileAndLeavesNoTemporary()
    {
        string path = _dir.File("weights.npy");
        NpyFile.Write(path, [1, 2, 3], [3]);

        NpyFile.Write(path, [7, 8], [2]);

        Assert.Equal([7f, 8f], NpyFile.Read(path).Data);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void WriteRejectsAShapeThatDoesNotFitTheData()
    {
        Assert.Throws<ArgumentException>(() => NpyFile.Write(_dir.File("x.npy"), [1, 2, 3], [2, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.Write(_dir.File("x.npy"), [], [-1]));
    }

    // A file like numpy's with any header text (padded to 64) and data, in format version major.0.
    private static byte[] Npy(string header, byte[] data, int major = 1)
    {
        int lengthSize = major == 1 ? 2 : 4;
        header += new string(' ', 63 - (8 + lengthSize + header.Length) % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        var length = new byte[lengthSize];
        if (major == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        return [.. bytes, .. length, .. Encoding.UTF8.GetBytes(header), .. data];
    }

    private static byte[] Floats(params float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsVersionsTwoAndThree(int major)
    {
        string path = _dir.Write("v.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Floats(1.5f, -2), major));

        Assert.Equal([1.5f, -2f], NpyFile.Read(path).Data);
    }

    [Fact]
    public void ReadsDoublesAsFloats()
    {
        byte[] doubles = [.. new[] { 0.1, -1e300, 2.5 }.SelectMany(BitConverter.GetBytes)];
        string path = _dir.Write("d.npy", Npy("{'shape': (3,), 'fortran_order': False, 'descr': '<f8'}", doubles));

        Assert.Equal([0.1f, float.NegativeInfinity, 2.5f], NpyFile.Read(path).Data);
    }

    public static TheoryData<string, byte[], string> BadFiles() => new()
    {
        { "empty", [], "expected the .npy magic bytes 93 4E 55 4D 50 59 (\\x93NUMPY), found " },
        { "zip", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00], "found 504B03041400" },
        { "version 4", [0x93, .. "NUMPY"u8, 4, 0, 0, 0], "expected .npy format version 1.0, 2.0 or 3.0, found 4.0" },
        { "short preamble", [0x93, .. "NUMPY"u8, 2, 0, 9], "file truncated: expected a 12-byte .npy preamble, found 9 bytes" },
        { "short header", [0x93, .. "NUMPY"u8, 1, 0, 118, 0, (byte)'{'], "file truncated: expected a 118-byte header, found 1 bytes" },
        { "not a dict", Npy("[1, 2]", []), "expected a header dictionary like {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }, found [1, 2]" },
        { "missing key", Npy("{'descr': '<f4', 'shape': (1,), }", Floats(1)), "expected the header keys 'descr', 'fortran_order' and 'shape', found 'descr', 'shape'" },
        { "fortran", Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", Floats(1, 2, 3, 4)), "expected fortran_order False (C order), found True" },
        { "big-endian", Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", Floats(1)), "expected little-endian floats ('<f4' or '<f8'), found big-endian '>f4'" },
        { "integers", Npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", [1, 0, 0, 0]), "expected dtype '<f4' (or '<f8'), found '<i4'" },
        { "bad shape", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", []), "expected a shape of non-negative 32-bit sizes, found (2, -1)" },
        { "huge shape", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", []), "shape (65536, 65536) has more than" },
        { "truncated", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", Floats(1, 2, 3)), "file truncated: shape (3, 4) of 4-byte floats needs 48 bytes of data, found 12" },
        { "trailing", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", Floats(1, 2)), "expected the file to end after 4 bytes of data for shape (1,), found 4 more bytes" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFilesNameTheFileAndTheProblem(string name, byte[] bytes, string expected)
    {
        string path = _dir.Write($"{name}.npy", bytes);

        var e = Assert.Throws<DataFormatException>(() => NpyFile.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => NpyFile.Read(_dir.File("gone.npy")));
        Assert.Contains("gone.npy", e.Message);
    }
}
