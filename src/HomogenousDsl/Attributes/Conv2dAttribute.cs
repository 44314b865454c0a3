namespace HomogenousDsl;

/// <summary>
/// A 2-D cross-correlation with square kernels and zero padding, weight shape <c>[out, in, k, k]</c>
/// (PyTorch's <c>nn.Conv2d</c> layout).
/// </summary>
/// <param name="outChannels">Number of output channels.</param>
public sealed class Conv2dAttribute(int outChannels) : LayerAttribute
{
    /// <summary>Number of output channels.</summary>
    public int OutChannels { get; } = outChannels;

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; set; } = 3;

    /// <summary>Stride in both directions.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; set; }

    /// <summary>Adds a per-channel bias; homogeneous only on the first parameterized layer.</summary>
    public bool Bias { get; set; }
}
