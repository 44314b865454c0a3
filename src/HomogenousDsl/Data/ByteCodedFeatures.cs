using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HomogenousDsl.Data;

/// <summary>
/// A set whose every feature is k / 255 for a whole k in 0..255 (8-bit images scaled to [0, 1], as
/// <see cref="MnistLoader"/> makes them), kept a second time as the bytes k. A random training batch is a gather from
/// memory: a W2 batch is 200 KB of float rows, about 20 µs a step at this machine's bandwidth, and the same rows as
/// bytes are a quarter of that. Decoding divides in float exactly as the loader did, so every value is the same float,
/// bit for bit.
/// </summary>
internal sealed unsafe class ByteCodedFeatures
{
    private const float Scale = 255f;

    private readonly byte[] _codes;
    private readonly int _rowSize;

    private ByteCodedFeatures(byte[] codes, int rowSize)
    {
        _codes = codes;
        _rowSize = rowSize;
    }

    /// <summary>The codes, row after row (for prefetching).</summary>
    public byte[] Codes => _codes;

    /// <summary>
    /// The features as bytes when every one is k / 255 exactly, else null. Checked before anything is allocated, so
    /// another set costs one pass up to its first other value.
    /// </summary>
    public static ByteCodedFeatures? TryEncode(float[] features, int rowSize)
    {
        foreach (var value in features)
        {
            if (Code(value) < 0)
                return null;
        }
        var codes = new byte[features.Length];
        for (var i = 0; i < features.Length; i++)
            codes[i] = (byte)Code(features[i]);
        return new ByteCodedFeatures(codes, rowSize);
    }

    // k when value is k / 255 for a whole k in 0..255, else −1. Compared as bits, so −0 (which k / 255 never gives) is refused.
    private static int Code(float value)
    {
        if (!(value >= 0f && value <= 1f))
            return -1;
        var code = (int)MathF.Round(value * Scale);
        return BitConverter.SingleToInt32Bits(code / Scale) == BitConverter.SingleToInt32Bits(value) ? code : -1;
    }

    /// <summary>Writes the features of row <paramref name="row"/> into <paramref name="destination"/>.</summary>
    public void Decode(int row, Span<float> destination) => Decode(row, destination, nonTemporal: false);

    /// <summary>
    /// <see cref="Decode(int, Span{float})"/>; with <paramref name="nonTemporal"/> (and 512-bit registers), the whole
    /// 64-byte lines of the destination are written past the caches, and the caller fences after its last row.
    /// </summary>
    public void Decode(int row, Span<float> destination, bool nonTemporal)
    {
        if ((uint)row >= (uint)(_codes.Length / _rowSize))
            throw new ArgumentOutOfRangeException(nameof(row), row, "No such row.");
        if (destination.Length < _rowSize)
            throw new ArgumentException($"A row has {_rowSize} features; the destination holds {destination.Length}.", nameof(destination));
        ref byte source = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), (nint)row * _rowSize);
        ref float target = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        if (Avx512F.IsSupported)
        {
            var scale = Vector512.Create(Scale);
            if (nonTemporal)
            {
                // Floats before the first 64-byte boundary go through the caches; whole lines after it do not.
                int head = Math.Min(_rowSize, (int)(((64 - ((nuint)Unsafe.AsPointer(ref target) & 63)) & 63) / sizeof(float)));
                for (; i < head; i++)
                    Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i) / Scale;
                for (; i <= _rowSize - 16; i += 16)
                {
                    var codes = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref source, (nuint)i));
                    Avx512F.StoreAlignedNonTemporal((float*)Unsafe.AsPointer(ref Unsafe.Add(ref target, i)), Avx512F.ConvertToVector512Single(codes) / scale);
                }
            }
            for (; i <= _rowSize - 16; i += 16)
            {
                var codes = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref source, (nuint)i));
                (Avx512F.ConvertToVector512Single(codes) / scale).StoreUnsafe(ref target, (nuint)i);
            }
        }
        else if (Avx2.IsSupported)
        {
            var scale = Vector256.Create(Scale);
            for (; i <= _rowSize - 8; i += 8)
            {
                var codes = Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref source, i))).AsByte());
                (Avx.ConvertToVector256Single(codes) / scale).StoreUnsafe(ref target, (nuint)i);
            }
        }
        for (; i < _rowSize; i++)
            Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i) / Scale;
    }
}
