namespace HomogenousDsl.Kernels;

/// <summary>
/// Positively homogeneous elementwise activations and their subgradients. Spans must have equal lengths; a result may be
/// the very same span as an input (in-place), never a shifted overlap. Subgradients at the kink 0 are fixed conventions:
/// ReLU'(0) = 0, LeakyReLU'(0) = slope, |·|'(0) = 0. NaN propagates through every forward function.
/// </summary>
public static class ActivationKernel
{
    /// <summary>a = max(z, 0).</summary>
    public static void Relu(ReadOnlySpan<float> z, Span<float> a) => Elementwise.Map<ReluOperator>(z, a, 0f);

    /// <summary>dz = z &gt; 0 ? da : 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz) => Elementwise.Map<ReluBackwardOperator>(z, da, dz, 0f);

    /// <summary>a = z &gt; 0 ? z : slope·z.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> z, Span<float> a, float slope) => Elementwise.Map<LeakyReluOperator>(z, a, slope);

    /// <summary>dz = z &gt; 0 ? da : slope·da.</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz, float slope)
        => Elementwise.Map<LeakyReluBackwardOperator>(z, da, dz, slope);

    /// <summary>a = |z|.</summary>
    public static void Abs(ReadOnlySpan<float> z, Span<float> a) => Elementwise.Map<AbsOperator>(z, a, 0f);

    /// <summary>dz = sign(z)·da with sign(0) = 0.</summary>
    public static void AbsBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz) => Elementwise.Map<AbsBackwardOperator>(z, da, dz, 0f);

    /// <summary>a = max(z, 0)²; homogeneous of degree 2.</summary>
    public static void SquaredRelu(ReadOnlySpan<float> z, Span<float> a) => Elementwise.Map<SquaredReluOperator>(z, a, 0f);

    /// <summary>dz = 2·max(z, 0)·da.</summary>
    public static void SquaredReluBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz)
        => Elementwise.Map<SquaredReluBackwardOperator>(z, da, dz, 0f);

    internal readonly struct ReluOperator : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV unused) where TV : struct where T : ISimd<TV> => T.Max(z, T.Zero);
    }

    private readonly struct ReluBackwardOperator : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV da, TV unused) where TV : struct where T : ISimd<TV> => T.IfGreater(z, T.Zero, da, T.Zero);
    }

    internal readonly struct LeakyReluOperator : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV slope) where TV : struct where T : ISimd<TV> => T.IfGreater(z, T.Zero, z, T.Multiply(slope, z));
    }

    private readonly struct LeakyReluBackwardOperator : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV da, TV slope) where TV : struct where T : ISimd<TV> => T.IfGreater(z, T.Zero, da, T.Multiply(slope, da));
    }

    private readonly struct AbsOperator : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV unused) where TV : struct where T : ISimd<TV> => T.Abs(z);
    }

    private readonly struct AbsBackwardOperator : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV da, TV unused) where TV : struct where T : ISimd<TV>
            => T.IfGreater(z, T.Zero, da, T.IfGreater(T.Zero, z, T.Subtract(T.Zero, da), T.Zero));
    }

    private readonly struct SquaredReluOperator : IUnaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV unused) where TV : struct where T : ISimd<TV>
        {
            TV r = T.Max(z, T.Zero);
            return T.Multiply(r, r);
        }
    }

    private readonly struct SquaredReluBackwardOperator : IBinaryOperator
    {
        public static TV Invoke<TV, T>(TV z, TV da, TV unused) where TV : struct where T : ISimd<TV>
        {
            TV r = T.Max(z, T.Zero);
            return T.Multiply(T.Add(r, r), da);
        }
    }
}
