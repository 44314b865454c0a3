using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace HomogenousDsl.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic number made of two zero bytes, an
/// element-type byte and a dimension-count byte, then one big-endian int32 size per dimension, then the data.
/// Gzip-compressed files are recognised by their 0x1F 0x8B header and decompressed transparently.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    // MNIST-like data needs at most 3 (count × rows × columns); 4 leaves room for channels.
    private const int MaxDimensions = 4;

    /// <summary>Reads the IDX file at <paramref name="path"/>, gzip-compressed or raw.</summary>
    /// <param name="path">The file to read; messages name it as given.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a complete unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads an IDX array, gzip-compressed or raw, from the current position of a stream to its end.</summary>
    /// <param name="stream">The stream to read; it is left open.</param>
    /// <param name="sourceName">The name used in messages and as <see cref="IdxArray.Source"/>.</param>
    /// <exception cref="DataFormatException">The stream does not hold exactly one unsigned-byte IDX array.</exception>
    public static IdxArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        // Sniffing the gzip header means reading two bytes and stepping back, so buffer a stream that cannot seek.
        if (!stream.CanSeek)
        {
            var buffered = new MemoryStream();
            stream.CopyTo(buffered);
            buffered.Position = 0;
            stream = buffered;
        }
        long start = stream.Position;
        bool gzip = stream.ReadByte() == 0x1F && stream.ReadByte() == 0x8B;
        stream.Position = start;
        if (!gzip)
            return Parse(stream, sourceName);

        using var inflated = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            return Parse(inflated, sourceName);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{sourceName}: corrupt gzip data ({e.Message.TrimEnd('.')}).", sourceName, e);
        }
    }

    private static IdxArray Parse(Stream s, string source)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = s.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (got == 0)
            throw Error(source, $"the file is empty; expected an IDX magic number");
        if (got < magic.Length)
            throw Error(source, $"file truncated: expected a 4-byte IDX magic number, found {got} bytes");
        uint number = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0)
            throw Error(source, $"expected an IDX magic number 0x0000TTNN (two zero bytes, element type, dimension count), found 0x{number:X8}");
        if (magic[2] != UnsignedByte)
            throw Error(source, $"expected element type 0x08 (unsigned byte), found 0x{magic[2]:X2} ({TypeName(magic[2])}) in magic 0x{number:X8}");
        int rank = magic[3];
        if (rank is 0 or > MaxDimensions)
            throw Error(source, $"expected 1 to {MaxDimensions} dimensions, found {rank} in magic 0x{number:X8}");

        var sizes = new byte[4 * rank];
        got = s.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            throw Error(source, $"file truncated: expected {rank} dimension sizes ({sizes.Length} bytes) after the magic number, found {got} bytes");
        var dims = new int[rank];
        long length = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
            if (dims[i] <= 0)
                throw Error(source, $"expected positive dimension sizes, found {dims[i]} for dimension {i}");
            // Checking after every factor keeps the product below 2^62, so it cannot overflow a long.
            length *= dims[i];
            if (length > Array.MaxLength)
                throw Error(source, $"dimensions {Shape(dims.AsSpan(0, i + 1))} describe more than {Array.MaxLength:N0} bytes, the largest array .NET can hold");
        }

        var data = new byte[length];
        got = s.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
            throw Error(source, $"file truncated: header says {Extent(dims, length)} of data, found {got:N0}");
        long extra = CountToEnd(s);
        if (extra > 0)
            throw Error(source, $"expected the file to end after {Extent(dims, length)} of data, found {extra:N0} more bytes");
        return new IdxArray(dims, data, source);
    }

    private static long CountToEnd(Stream s)
    {
        var buffer = new byte[8192];
        long total = 0;
        for (int n; (n = s.Read(buffer)) > 0;)
            total += n;
        return total;
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX type",
    };

    // "10,000×28×28 = 7,840,000 bytes", or just "10,000 bytes" for one dimension.
    private static string Extent(int[] dims, long length)
    {
        string bytes = length.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
        return dims.Length == 1 ? bytes : $"{Shape(dims)} = {bytes}";
    }

    private static string Shape(ReadOnlySpan<int> dims)
    {
        var parts = new string[dims.Length];
        for (int i = 0; i < dims.Length; i++)
            parts[i] = dims[i].ToString("N0", CultureInfo.InvariantCulture);
        return string.Join("×", parts);
    }

    // Messages are built with the invariant culture so "10,000" reads the same whatever the user's locale.
    private static DataFormatException Error(string source, FormattableString message) =>
        new($"{source}: {message.ToString(CultureInfo.InvariantCulture)}.", source);
}
