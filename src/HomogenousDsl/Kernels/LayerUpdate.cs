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

    /// <summary>
    /// Takes the layer over for its weight-gradient product to write the update itself (W += Scale·dW, dW never stored),
    /// or returns null: a layer this sink does not take, or a rule that is not one scaled step.
    /// </summary>
    IInPlaceUpdate? TakeInPlace(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, int rowLength);
}

/// <summary>
/// A layer's update written by its weight-gradient product: the product accumulates <see cref="Scale"/>·dW into
/// <see cref="Weights"/> and watches its tiles (<see cref="FiniteWatch"/>); <see cref="ISplitEpilogue.Finish"/>, on the
/// thread that computed rows [first, end), reads that thread's watch.
/// </summary>
internal interface IInPlaceUpdate : ISplitEpilogue
{
    /// <summary>The layer's weights, written in place.</summary>
    Span<float> Weights { get; }

    /// <summary>The step's factor: W += Scale·dW.</summary>
    float Scale { get; }
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

    /// <summary>Whether this thread's finished layers go to a sink (a backward pass that updates layer by layer).</summary>
    public static bool Active => t_sink is not null;

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

    /// <summary>
    /// Called by a layer's backward kernel whose weight-gradient product could write the update itself: the update, or
    /// null (no sink, a layer it does not take, a rule that is not one scaled step). The kernel must then have read
    /// <paramref name="weights"/> for the last time before the product starts.
    /// </summary>
    public static IInPlaceUpdate? TakeInPlace(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, int rowLength)
        => t_sink is { } sink && !gradient.IsEmpty ? sink.TakeInPlace(weights, gradient, rowLength) : null;
}
