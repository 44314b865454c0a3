namespace HomogenousDsl.Kernels;

/// <summary>Static shape of a square-kernel, zero-padded 2-D convolution of one NCHW sample (PyTorch Conv2d semantics).</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="InHeight">Input rows.</param>
/// <param name="InWidth">Input columns.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Kernel side length.</param>
/// <param name="Stride">Step between kernel placements, in both directions.</param>
/// <param name="Padding">Zero rows and columns added on every side.</param>
public readonly record struct Conv2dShape(int InChannels, int InHeight, int InWidth, int OutChannels, int Kernel, int Stride, int Padding)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (InHeight + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (InWidth + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Floats in one input sample.</summary>
    public int InputSize => InChannels * InHeight * InWidth;

    /// <summary>Floats in one output sample.</summary>
    public int OutputSize => OutChannels * OutHeight * OutWidth;

    /// <summary>Floats in one receptive field: the length of a weight row.</summary>
    public int PatchSize => InChannels * Kernel * Kernel;

    /// <summary>Floats in the weight tensor [OutChannels, InChannels, Kernel, Kernel].</summary>
    public int WeightSize => OutChannels * PatchSize;

    internal int OutPixels => OutHeight * OutWidth;

    // A 1×1 kernel with unit stride and no padding makes im2col the identity, so the input is used in place.
    internal bool IsPointwise => Kernel == 1 && Stride == 1 && Padding == 0;

    internal void Validate()
    {
        Guard.Positive(InChannels);
        Guard.Positive(InHeight);
        Guard.Positive(InWidth);
        Guard.Positive(OutChannels);
        Guard.Positive(Kernel);
        Guard.Positive(Stride);
        Guard.NonNegative(Padding);
        if (InHeight + 2 * Padding < Kernel || InWidth + 2 * Padding < Kernel)
            throw new ArgumentException($"Kernel {Kernel} exceeds the padded input {InHeight + 2 * Padding}×{InWidth + 2 * Padding}.");
        long patch = (long)InChannels * Kernel * Kernel, pixels = (long)OutHeight * OutWidth;
        if ((long)InChannels * InHeight * InWidth > int.MaxValue || 2 * patch * pixels > int.MaxValue || OutChannels * Math.Max(patch, pixels) > int.MaxValue)
            throw new ArgumentException("Convolution sizes overflow a 32-bit element count.");
    }
}
