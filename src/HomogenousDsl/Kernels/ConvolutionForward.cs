namespace HomogenousDsl.Kernels;

/// <summary>
/// A convolution's forward pass, generic over the activation it applies as it stores (one instantiation each), so
/// <see cref="ConvolutionForward.Run{TConv}"/> holds the one switch that picks the instantiation for every kernel.
/// </summary>
internal unsafe interface IConvolutionForward
{
    static abstract void Forward<TOp>(float* w, float* bias, float* x, float* y, int batch, in Conv2dShape s, float slope) where TOp : IUnaryOperator;
}

internal static unsafe class ConvolutionForward
{
    /// <summary>output = act(W·col + bias) by <typeparamref name="TConv"/>'s kernel; callers have validated sizes.</summary>
    public static void Run<TConv>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, Span<float> output,
        int batch, in Conv2dShape s, ActivationEpilogue activation, float slope) where TConv : IConvolutionForward
    {
        fixed (float* w = weight, b = bias, x = input, y = output)
        {
            float* bp = bias.IsEmpty ? null : b;
            switch (activation)
            {
                case ActivationEpilogue.Relu:
                    TConv.Forward<ActivationKernel.ReluOperator>(w, bp, x, y, batch, s, slope);
                    break;
                case ActivationEpilogue.LeakyRelu:
                    TConv.Forward<ActivationKernel.LeakyReluOperator>(w, bp, x, y, batch, s, slope);
                    break;
                default:
                    TConv.Forward<Epilogue.None>(w, bp, x, y, batch, s, slope);
                    break;
            }
        }
    }
}
