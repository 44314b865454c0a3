using System.Buffers.Binary;
using System.IO.Compression;

namespace HomogenousDsl.Tests.Data;

/// <summary>Builds IDX files byte by byte, so tests control every field, valid or not.</summary>
public static class IdxBytes
{
    public static byte[] Build(int[] dims, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Sequence(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)i)];

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
            gzip.Write(raw);
        return output.ToArray();
    }
}
