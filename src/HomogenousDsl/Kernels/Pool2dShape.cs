namespace HomogenousDsl.Kernels;

/// <summary>Static shape of an unpadded square-window 2-D pooling of one NCHW sample.</summary>
/// <param name="Channels">Channels, pooled independently.</param>
/// <param name="InHeight">Input rows.</param>
/// <param name="InWidth">Input columns.</param>
/// <param name="Kernel">Window side length.</param>
/// <param name="Stride">Step between windows, in both directions.</param>
public readonly record struct Pool2dShape(int Channels, int InHeight, int InWidth, int Kernel, int Stride)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (InHeight - Kernel) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (InWidth - Kernel) / Stride + 1;

    /// <summary>Floats in one input sample.</summary>
    public int InputSize => Channels * InHeight * InWidth;

    /// <summary>Floats in one output sample.</summary>
    public int OutputSize => Channels * OutHeight * OutWidth;

    internal void Validate()
    {
        Guard.Positive(Channels);
        Guard.Positive(Kernel);
        Guard.Positive(Stride);
        if (InHeight < Kernel || InWidth < Kernel)
            throw new ArgumentException($"Window {Kernel} exceeds the input {InHeight}×{InWidth}.");
        if ((long)Channels * InHeight * InWidth > int.MaxValue)
            throw new ArgumentException("Pooling input overflows a 32-bit element count.");
        // The vectorized max pool tracks window offsets (< Kernel·InWidth) in float lanes, exact below 2^24.
        if ((long)Kernel * InWidth >= 1 << 24)
            throw new ArgumentException($"Pooling rows of {InWidth} with window {Kernel} are too wide.");
    }
}
