using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HomogenousDsl.Kernels;

namespace HomogenousDsl.Training;

/// <summary>
/// An elementwise update taken layer by layer during a one-thread backward pass. Each layer's backward call hands over
/// its weights and weight gradient once it has written the one and read the other for the last time
/// (<see cref="LayerUpdate.Done"/>), and that range is updated there, while both are still in cache; ranges no layer
/// handed over (biases) are updated after the pass. One pass over every parameter after the backward pass found the
/// first layers' ranges gone from L2 and the large ones gone from L3. The rule is elementwise, so the parameters equal
/// those of one update after the pass, bit for bit. With the kernels split over threads, a dense layer instead hands
/// itself over before its weight-gradient product (<see cref="TakeRows"/>), and each thread updates the weight rows it
/// has just finished. Armed to update in place, a constant step (<see cref="IScaledStepRule"/>) goes further: the
/// weight-gradient product adds −η·dW to the weights from its registers (<see cref="TakeInPlace"/>), so dW is never
/// stored and no pass reads it back; each element is the same single rounding of the same product, so the parameters
/// are still the same bits.
/// </summary>
internal sealed class LayerwiseUpdate : ILayerUpdateSink
{
    private readonly (int Start, int Length)[] _weights;
    private readonly bool[] _done;
    // Layers whose product wrote their update this pass: their range of the gradient was not written.
    private readonly bool[] _inPlace;
    private float[] _parameters = [];
    private float[] _gradient = [];
    private IUpdateRule? _rule;
    private double _logScale;
    // Written only to false, and from several threads while a split product's rows are updated.
    private bool _finite;
    private bool _productsFinite;
    private float _scale;
    private bool _inPlaceAllowed;
    // One per layer: a split pass may have two layers' rows in flight at once (FirstLayerPairBackward).
    private readonly RowUpdate[] _rows;
    private readonly InPlaceRows _inPlaceRows;

    private LayerwiseUpdate((int Start, int Length)[] weights)
    {
        _weights = weights;
        _done = new bool[weights.Length];
        _inPlace = new bool[weights.Length];
        _rows = weights.Select(range => new RowUpdate(this) { Start = range.Start }).ToArray();
        _inPlaceRows = new InPlaceRows(this);
    }

    /// <summary>
    /// The layer-by-layer update for a network whose layers' weights are disjoint ranges, else null: a range shared by
    /// two layers would be updated by the first while the second still reads it.
    /// </summary>
    public static LayerwiseUpdate? For(NetworkDescription description)
    {
        var weights = description.Layers.Where(layer => layer.HasParameters)
            .Select(layer => (Start: layer.ParameterOffset, Length: layer.WeightLength))
            .OrderBy(range => range.Start).ToArray();
        for (var i = 1; i < weights.Length; i++)
        {
            if (weights[i].Start < weights[i - 1].Start + weights[i - 1].Length)
                return null;
        }
        return weights.Length == 0 ? null : new LayerwiseUpdate(weights);
    }

    /// <summary>
    /// Prepares one backward pass whose layers write <paramref name="gradient"/> once each; with
    /// <paramref name="inPlace"/>, layers whose product can write a scaled step's update leave their range of it as it was.
    /// </summary>
    public void Arm(float[] parameters, float[] gradient, IUpdateRule rule, double logScale, bool inPlace = false)
    {
        _parameters = parameters;
        _gradient = gradient;
        _rule = rule;
        _logScale = logScale;
        _finite = true;
        _productsFinite = true;
        _inPlaceAllowed = inPlace && rule is IScaledStepRule;
        _scale = rule is IScaledStepRule scaled ? scaled.Scale(logScale) : 0f;
        Array.Clear(_done);
        Array.Clear(_inPlace);
    }

    /// <inheritdoc/>
    public void Done(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient)
    {
        var layer = Take(weights, gradient);
        if (layer >= 0)
            Apply(_weights[layer].Start, _weights[layer].Length);
    }

    /// <inheritdoc/>
    public ISplitEpilogue? TakeRows(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, int rowLength)
    {
        var layer = Take(weights, gradient);
        if (layer < 0 || rowLength <= 0 || _weights[layer].Length % rowLength != 0)
            return null;
        _rows[layer].RowLength = rowLength;
        return _rows[layer];
    }

    /// <inheritdoc/>
    public IInPlaceUpdate? TakeInPlace(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient, int rowLength)
    {
        if (!_inPlaceAllowed)
            return null;
        var layer = Take(weights, gradient);
        if (layer < 0)
            return null;
        _inPlace[layer] = true;
        _inPlaceRows.Start = _weights[layer].Start;
        _inPlaceRows.Length = _weights[layer].Length;
        _inPlaceRows.RowLength = rowLength;
        return _inPlaceRows;
    }

    /// <summary>Layers whose weight-gradient product wrote their update in the last pass.</summary>
    public int InPlaceLayers
    {
        get
        {
            var count = 0;
            foreach (var inPlace in _inPlace)
                count += inPlace ? 1 : 0;
            return count;
        }
    }

    /// <summary>
    /// After a pass that returned false from <see cref="Finish"/>: whether the gradient was finite, from the ranges the
    /// pass wrote and the products that updated in place.
    /// </summary>
    public bool GradientFinite(ReadOnlySpan<float> gradient)
    {
        if (!_productsFinite)
            return false;
        var position = 0;
        for (var layer = 0; layer < _weights.Length; layer++)
        {
            if (!_inPlace[layer])
                continue;
            if (!VectorMath.AllFinite(gradient[position.._weights[layer].Start]))
                return false;
            position = _weights[layer].Start + _weights[layer].Length;
        }
        return VectorMath.AllFinite(gradient[position..]);
    }

    // The layer whose weights and gradient are these ranges of this pass's two vectors, marked as handed over; -1 when
    // there is none or it was handed over already.
    private int Take(ReadOnlySpan<float> weights, ReadOnlySpan<float> gradient)
    {
        var start = Offset(_gradient, gradient);
        if (start < 0 || start >= _gradient.Length || start != Offset(_parameters, weights) || weights.Length != gradient.Length)
            return -1;
        var layer = Array.IndexOf(_weights, ((int)start, gradient.Length));
        if (layer < 0 || _done[layer])
            return -1;
        _done[layer] = true;
        return layer;
    }

    /// <summary>Updates every range no layer handed over; returns false when a parameter became NaN or ±∞.</summary>
    public bool Finish()
    {
        var position = 0;
        for (var layer = 0; layer < _weights.Length; layer++)
        {
            if (!_done[layer])
                continue;
            Apply(position, _weights[layer].Start - position);
            position = _weights[layer].Start + _weights[layer].Length;
        }
        Apply(position, _parameters.Length - position);
        var finite = _finite;
        _parameters = _gradient = [];
        _rule = null;
        return finite;
    }

    private void Apply(int start, int length)
    {
        if (length > 0 && !_rule!.Apply(_parameters.AsSpan(start, length), _gradient.AsSpan(start, length), _logScale))
            _finite = false;
    }

    /// <summary>Rows of a taken layer, finished on the thread of a split product that computed them.</summary>
    private abstract class TakenRows(LayerwiseUpdate owner) : ISplitEpilogue
    {
        public int Start;
        public int RowLength;

        protected LayerwiseUpdate Owner { get; } = owner;

        public abstract void Finish(int first, int end);

        // The weights come from L3 on two threads (the product in between evicts them): asked for while the claim's
        // tiles compute, they are in L2 when Finish or the fused store reads them (W2 on two threads: median +4% over
        // eight pairs).
        public void Starting(int first, int end)
            => RowPrefetch.Range(Owner._parameters.AsSpan(Start + first * RowLength, (end - first) * RowLength));
    }

    /// <summary>Updates the rows whose gradient the thread has just finished.</summary>
    private sealed class RowUpdate(LayerwiseUpdate owner) : TakenRows(owner)
    {
        public override void Finish(int first, int end) => Owner.Apply(Start + first * RowLength, (end - first) * RowLength);
    }

    /// <summary>Reads the watch of the thread whose product has just written the update of these rows.</summary>
    private sealed class InPlaceRows(LayerwiseUpdate owner) : TakenRows(owner), IInPlaceUpdate
    {
        public int Length;

        public Span<float> Weights => Owner._parameters.AsSpan(Start, Length);

        public float Scale => Owner._scale;

        // Fields written only to false, from whichever threads found a NaN or ±∞.
        public override void Finish(int first, int end)
        {
            var (products, values) = FiniteWatch.Take();
            if (!products)
                Owner._productsFinite = false;
            if (!values)
                Owner._finite = false;
        }
    }

    // Position of span's first element in array, in floats (any value when the span lies elsewhere).
    private static long Offset(float[] array, ReadOnlySpan<float> span)
        => array.Length == 0 ? -1 : (long)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(array), ref MemoryMarshal.GetReference(span)) / sizeof(float);
}
