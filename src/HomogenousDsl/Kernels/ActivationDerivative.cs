namespace HomogenousDsl.Kernels;

/// <summary>
/// Carries a dense layer's input adjoint back through the activation its input came out of (a ReLU, or a LeakyReLU with
/// a positive slope, fused into the layer before): dx ← act′ ⊙ dx, the derivative's sign read from that activation's
/// output, which is this layer's input. The backward kernel applies it to each part of dx on the thread that just
/// stored that part, so no separate pass follows, and on two threads no single thread has to take every line of dx
/// back from the other core first. The bits are those of <see cref="ActivationKernel.ReluBackward"/> or
/// <see cref="ActivationKernel.LeakyReluBackward"/> applied to dx in place afterwards.
/// </summary>
internal sealed unsafe class ActivationDerivative : ISplitEpilogue
{
    private float* _x, _dx;
    private int _rows, _rowLength;
    private bool _byColumn;
    private ActivationEpilogue _activation;
    private float _slope;

    // Reused per calling thread so the backward pass allocates nothing; the pool's threads only read it.
    [ThreadStatic] private static ActivationDerivative? t_instance;

    private ActivationDerivative() { }

    /// <summary>
    /// The derivative of <paramref name="activation"/> over dx, a [rows × rowLength] matrix laid out as the input x
    /// (the same index in both), finished by rows or, <paramref name="byColumn"/>, by columns; null for no activation.
    /// </summary>
    public static ActivationDerivative? For(ActivationEpilogue activation, float slope, float* x, float* dx, int rows, int rowLength, bool byColumn)
    {
        if (activation == ActivationEpilogue.None)
            return null;
        var derivative = t_instance ??= new ActivationDerivative();
        derivative._activation = activation;
        derivative._slope = slope;
        derivative._x = x;
        derivative._dx = dx;
        derivative._rows = rows;
        derivative._rowLength = rowLength;
        derivative._byColumn = byColumn;
        return derivative;
    }

    /// <summary>Applies the derivative to rows (or columns) [<paramref name="first"/>, <paramref name="end"/>) of dx.</summary>
    public void Finish(int first, int end)
    {
        if (end <= first)
            return;
        if (!_byColumn)
        {
            long start = (long)first * _rowLength, count = (long)(end - first) * _rowLength;
            Apply(_activation, _slope, new ReadOnlySpan<float>(_x + start, checked((int)count)), new Span<float>(_dx + start, checked((int)count)));
            return;
        }
        for (int r = 0; r < _rows; r++)
        {
            long start = (long)r * _rowLength + first;
            Apply(_activation, _slope, new ReadOnlySpan<float>(_x + start, end - first), new Span<float>(_dx + start, end - first));
        }
    }

    /// <summary>dx ← act′(x) ⊙ dx in place, with the sign of x, the activation's output.</summary>
    public static void Apply(ActivationEpilogue activation, float slope, ReadOnlySpan<float> x, Span<float> dx)
    {
        switch (activation)
        {
            case ActivationEpilogue.Relu:
                ActivationKernel.ReluBackward(x, dx, dx);
                break;
            case ActivationEpilogue.LeakyRelu:
                ActivationKernel.LeakyReluBackward(x, dx, dx, slope);
                break;
        }
    }
}
