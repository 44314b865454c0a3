using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HomogenousDsl.Data;
using static System.FormattableString;

namespace HomogenousDsl.Persistence;

/// <summary>
/// Reads and writes float arrays as NumPy .npy files, so weights and margins can be inspected with numpy.load.
/// Files are written exactly as numpy.save writes a C-order float32 array.
/// </summary>
public static partial class NpyFile
{
    private const int Align = 64;

    // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: spare header room so the first axis can grow in place.
    private const int GrowthAxisMaxDigits = 21;

    // numpy 1.x cannot load arrays of more dimensions.
    private const int MaxDimensions = 32;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>
    /// Writes <paramref name="data"/> as a C-order little-endian float32 array of shape <paramref name="shape"/> in
    /// .npy format 1.0. The file is written to <c>path + ".tmp"</c>, flushed to disk and then moved over
    /// <paramref name="path"/>, so a crash never leaves a half-written file under the final name.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="data">The elements in C (row-major) order.</param>
    /// <param name="shape">The sizes of the dimensions; empty for a scalar. Their product must equal the data length.</param>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shape.Length, MaxDimensions, nameof(shape));
        foreach (int d in shape)
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
        if (NpyArray.ElementCount(shape) != data.Length)
            throw new ArgumentException(Invariant($"{data.Length} values do not fill shape {ShapeText(shape)}."), nameof(data));

        byte[] header = Encoding.Latin1.GetBytes(HeaderText(shape));
        string temporary = path + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(Magic);
                file.Write([1, 0]);
                Span<byte> length = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
                file.Write(length);
                file.Write(header);
                WriteLittleEndian(file, data);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Reads a .npy file (format 1.0, 2.0 or 3.0) holding a C-order little-endian float32 array; float64 arrays
    /// are accepted and rounded to float32.
    /// </summary>
    /// <param name="path">The file to read; messages name it as given.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed, truncated, or holds another kind of array.</exception>
    public static NpyArray Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Error(path, $"expected the .npy magic bytes 93 4E 55 4D 50 59 (\\x93NUMPY), found {Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, Magic.Length))}");
        int major = bytes.Length > 6 ? bytes[6] : -1, minor = bytes.Length > 7 ? bytes[7] : -1;
        if (major is < 1 or > 3 || minor != 0)
            throw Error(path, $"expected .npy format version 1.0, 2.0 or 3.0, found {major}.{minor}");
        // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 in 4.
        int lengthSize = major == 1 ? 2 : 4, headerStart = 8 + lengthSize;
        if (bytes.Length < headerStart)
            throw Error(path, $"file truncated: expected a {headerStart}-byte .npy preamble, found {bytes.Length} bytes");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (bytes.Length - headerStart < headerLength)
            throw Error(path, $"file truncated: expected a {headerLength}-byte header, found {bytes.Length - headerStart} bytes");
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        string header = encoding.GetString(bytes, headerStart, (int)headerLength);
        var (itemSize, shape) = ParseHeader(path, header);

        long count = NpyArray.ElementCount(shape);
        if (count > Array.MaxLength)
            throw Error(path, $"shape {ShapeText(shape)} has more than {Array.MaxLength:N0} elements, the largest array .NET can hold");
        long dataStart = headerStart + headerLength, expected = count * itemSize, found = bytes.Length - dataStart;
        if (found < expected)
            throw Error(path, $"file truncated: shape {ShapeText(shape)} of {itemSize}-byte floats needs {expected:N0} bytes of data, found {found:N0}");
        if (found > expected)
            throw Error(path, $"expected the file to end after {expected:N0} bytes of data for shape {ShapeText(shape)}, found {found - expected:N0} more bytes");

        var values = new float[count];
        var payload = bytes.AsSpan((int)dataStart);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = itemSize == 4
                ? BinaryPrimitives.ReadSingleLittleEndian(payload[(4 * i)..])
                : (float)BinaryPrimitives.ReadDoubleLittleEndian(payload[(8 * i)..]);
        }
        return new NpyArray(values, shape);
    }

    // The header dictionary numpy writes: keys sorted, Python reprs, growth room, then space padding and a newline
    // so that the data starts at a multiple of 64 bytes (numpy pads a full 64 when already aligned).
    private static string HeaderText(ReadOnlySpan<int> shape)
    {
        string dictionary = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {ShapeText(shape)}, }}";
        if (shape.Length > 0)
            dictionary += new string(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        int preamble = Magic.Length + 2 + 2;
        int padding = Align - (preamble + dictionary.Length + 1) % Align;
        return dictionary + new string(' ', padding) + "\n";
    }

    // Python's repr of a tuple of ints: "()", "(5,)", "(3, 4)".
    private static string ShapeText(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return shape.Length == 1 ? $"({parts[0]},)" : $"({string.Join(", ", parts)})";
    }

    private static (int ItemSize, int[] Shape) ParseHeader(string path, string header)
    {
        var match = HeaderPattern().Match(header);
        if (!match.Success)
            throw Error(path, $"expected a header dictionary like {{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}, found {header.TrimEnd()}");
        var entries = new Dictionary<string, string>();
        for (int i = 0; i < match.Groups["key"].Captures.Count; i++)
        {
            if (!entries.TryAdd(match.Groups["key"].Captures[i].Value, match.Groups["value"].Captures[i].Value))
                throw Error(path, $"the header repeats the key '{match.Groups["key"].Captures[i].Value}'");
        }
        if (entries.Count != 3 || !entries.ContainsKey("descr") || !entries.ContainsKey("fortran_order") || !entries.ContainsKey("shape"))
            throw Error(path, $"expected the header keys 'descr', 'fortran_order' and 'shape', found {string.Join(", ", entries.Keys.Select(k => $"'{k}'"))}");

        int itemSize = entries["descr"] switch
        {
            "'<f4'" => 4,
            "'<f8'" => 8,
            "'>f4'" or "'>f8'" => throw Error(path, $"expected little-endian floats ('<f4' or '<f8'), found big-endian {entries["descr"]}"),
            var other => throw Error(path, $"expected dtype '<f4' (or '<f8'), found {other}"),
        };
        if (entries["fortran_order"] != "False")
            throw Error(path, $"expected fortran_order False (C order), found {entries["fortran_order"]}; save with numpy.ascontiguousarray first");

        string inner = entries["shape"][1..^1];
        var parts = inner.Split(',', StringSplitOptions.TrimEntries);
        // Python writes a trailing comma for a 1-tuple, "(5,)", which leaves one empty part at the end.
        if (parts[^1].Length == 0)
            parts = parts[..^1];
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw Error(path, $"expected a shape of non-negative 32-bit sizes, found {entries["shape"]}");
        }
        return (itemSize, shape);
    }

    [GeneratedRegex(@"^\{(?:\s*'(?<key>\w+)'\s*:\s*(?<value>'[^']*'|True|False|\([^()]*\))\s*,)*\s*(?:'(?<key>\w+)'\s*:\s*(?<value>'[^']*'|True|False|\([^()]*\))\s*)?\}\s*$")]
    private static partial Regex HeaderPattern();

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> data)
    {
        // Converting through a buffer keeps the bytes little-endian on any machine and preserves every bit pattern.
        const int Chunk = 16384;
        var buffer = new byte[4 * Math.Min(data.Length, Chunk)];
        for (int start = 0; start < data.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, data.Length - start);
            for (int i = 0; i < n; i++)
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), data[start + i]);
            stream.Write(buffer, 0, 4 * n);
        }
    }

    private static DataFormatException Error(string path, FormattableString message) =>
        new($"{path}: {message.ToString(CultureInfo.InvariantCulture)}.", path);
}
