namespace HomogenousDsl.Kernels;

/// <summary>
/// An activation a layer kernel applies while it stores its output, so no separate pass over the output is needed.
/// Results equal the layer followed by the matching <see cref="ActivationKernel"/> function, bit for bit.
/// </summary>
public enum ActivationEpilogue
{
    /// <summary>Store the layer's output as it is.</summary>
    None,

    /// <summary>Store max(z, 0), as <see cref="ActivationKernel.Relu"/>.</summary>
    Relu,

    /// <summary>Store z &gt; 0 ? z : slope·z, as <see cref="ActivationKernel.LeakyRelu"/>.</summary>
    LeakyRelu,
}

/// <summary>The lane-wise operator behind each <see cref="ActivationEpilogue"/>, for kernels generic over it.</summary>
internal static class Epilogue
{
    /// <summary>Identity: the stored value is the layer's output.</summary>
    public readonly struct None : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV unused) where TV : struct where T : ISimd<TV> => z;
    }

    /// <summary>Applies the epilogue in place to output[..count]: the fallback for paths without a fused store.</summary>
    public static void ApplyInPlace(Span<float> output, ActivationEpilogue activation, float slope)
    {
        switch (activation)
        {
            case ActivationEpilogue.Relu:
                ActivationKernel.Relu(output, output);
                break;
            case ActivationEpilogue.LeakyRelu:
                ActivationKernel.LeakyRelu(output, output, slope);
                break;
        }
    }

    public static void Validate(ActivationEpilogue activation)
    {
        if (activation is not (ActivationEpilogue.None or ActivationEpilogue.Relu or ActivationEpilogue.LeakyRelu))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation epilogue.");
    }
}
