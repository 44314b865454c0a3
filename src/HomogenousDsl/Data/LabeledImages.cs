using static System.FormattableString;

namespace HomogenousDsl.Data;

/// <summary>
/// Grey images with one byte label each, as an IDX image file (N×H×W) and label file (N) hold them, e.g. MNIST or
/// Fashion-MNIST. Turn them into a <see cref="Dataset"/> with <see cref="MnistLoader.TwoClass"/> or
/// <see cref="MnistLoader.Classes"/>.
/// </summary>
public sealed class LabeledImages
{
    /// <summary>Pairs an image array with its labels, checking their ranks and that the counts agree.</summary>
    /// <param name="name">A short description, e.g. the image file's name, used in data set names.</param>
    /// <param name="images">An N×H×W unsigned-byte array.</param>
    /// <param name="labels">An N-element unsigned-byte array.</param>
    /// <exception cref="DataFormatException">A rank is wrong or the counts differ; the message names the file.</exception>
    public LabeledImages(string name, IdxArray images, IdxArray labels)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        // The magic number is quoted too, since that is what a user comparing with the format description sees.
        if (images.Dimensions.Length != 3)
            throw Error(images.Source, Invariant($"expected magic 0x00000803 (unsigned byte, 3 dimensions: images × rows × columns), found 0x{0x800 + images.Dimensions.Length:X8} ({images.Dimensions.Length} dimensions)"));
        if (labels.Dimensions.Length != 1)
            throw Error(labels.Source, Invariant($"expected magic 0x00000801 (unsigned byte, 1 dimension: labels), found 0x{0x800 + labels.Dimensions.Length:X8} ({labels.Dimensions.Length} dimensions)"));
        if (labels.Data.Length != images.Dimensions[0])
            throw Error(labels.Source, Invariant($"{labels.Data.Length:N0} labels but {images.Source} has {images.Dimensions[0]:N0} images"));
        Name = name;
        Images = images;
        Labels = labels.Data;
    }

    /// <summary>A short description used in the names of data sets made from these images.</summary>
    public string Name { get; }

    /// <summary>The N×H×W image array.</summary>
    public IdxArray Images { get; }

    /// <summary>One label per image.</summary>
    public byte[] Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The number of pixel rows per image.</summary>
    public int Height => Images.Dimensions[1];

    /// <summary>The number of pixel columns per image.</summary>
    public int Width => Images.Dimensions[2];

    /// <summary>The pixels of image <paramref name="index"/>, row-major.</summary>
    /// <param name="index">An image index in 0..<see cref="Count"/>−1.</param>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Images.Data.AsSpan(index * Height * Width, Height * Width);
    }

    private static DataFormatException Error(string source, string message) => new($"{source}: {message}.", source);
}
