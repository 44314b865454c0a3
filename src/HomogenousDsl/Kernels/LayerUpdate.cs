namespace HomogenousDsl.Kernels;

/// <summary>Receives a layer's weights and weight gradient once its backward call no longer needs the weights.</summary>
internal interface ILayerUpdateSink
{
    /// <summary>The layer's <paramref name="gradient"/> is final for this pass and <paramref name="weights"/> may change.</summary>
    void Done(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient);
}

/// <summary>
/// The hand-over point between a layer's backward call and an update taken layer by layer (see
/// <c>GradientEngine</c>): set on the thread that runs a backward pass, and a no-op for kernels called outside one.
/// </summary>
internal static class LayerUpdate
{
    [ThreadStatic] private static ILayerUpdateSink? t_sink;

    /// <summary>Makes <paramref name="sink"/> receive this thread's finished layers until <see cref="End"/>.</summary>
    public static void Begin(ILayerUpdateSink sink) => t_sink = sink;

    /// <summary>Stops handing layers over.</summary>
    public static void End() => t_sink = null;

    /// <summary>Called by a layer's backward kernel after its last read of <paramref name="weights"/>.</summary>
    public static void Done(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient)
    {
        if (t_sink is { } sink && !gradient.IsEmpty)
            sink.Done(weights, gradient);
    }
}
