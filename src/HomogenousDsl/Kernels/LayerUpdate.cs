namespace HomogenousDsl.Kernels;

/// <summary>Receives a layer's weights and weight gradient once its backward call no longer needs the weights.</summary>
internal interface ILayerUpdateSink
{
    /// <summary>The layer's <paramref name="gradient"/> is final for this pass and <paramref name="weights"/> may change.</summary>
    void Done(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient);

    /// <summary>
    /// Takes the layer over before its weight gradient is computed by a product split over threads: the returned
    /// epilogue updates rows [first, end) (of <paramref name="rowLength"/> weights) on whichever thread finished their
    /// gradient. Null when the layer is not one this sink updates.
    /// </summary>
    ISplitEpilogue? TakeRows(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, int rowLength);
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

    /// <summary>
    /// Called by a layer's backward kernel before a weight-gradient product that threads share: an epilogue that updates
    /// the rows each thread finishes, or null (no sink, or a layer it does not take). The kernel must then have read
    /// <paramref name="weights"/> for the last time before the product starts.
    /// </summary>
    public static ISplitEpilogue? TakeRows(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, int rowLength)
        => t_sink is { } sink && !gradient.IsEmpty ? sink.TakeRows(weights, gradient, rowLength) : null;
}
