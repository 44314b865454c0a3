namespace HomogenousDsl.Kernels;

/// <summary>
/// Packed weight operands kept on this thread for as long as its caller holds the weights fixed. A whole-set forward
/// pass runs the same layers over a set piece by piece (W5: 24 calls of 512 samples on one thread, 47 of 256 on two),
/// and a layer whose product packs its weights (Wᵀ as the B side, <see cref="DenseGemm.SamplesAsRows"/>) packed them
/// again in every call: 3–4% of the evaluation. Within <see cref="Hold"/> a weight matrix is packed once and found
/// again by its address and shape, so the holder promises that inside the scope no weights change and no weights
/// move (it pins them): an address then names one matrix with one content. Outside a scope nothing is kept.
/// </summary>
internal static unsafe class HeldPackedWeights
{
    // Weight operands kept at once: a network's layers that pack their weights, most networks having one or two.
    private const int Slots = 4;

    [ThreadStatic] private static State? t_state;

    internal sealed class State
    {
        public int Depth;
        public int Next;
        public readonly nint[] Sources = new nint[Slots];
        public readonly long[] Shapes = new long[Slots];
        public readonly float[]?[] Buffers = new float[]?[Slots];
        // Where each buffer's packed operand starts (the buffers are pinned, so the address holds).
        public readonly nint[] Packed = new nint[Slots];
    }

    /// <summary>
    /// Keeps packed weights on this thread until the scope ends. The caller promises that until then the weights of the
    /// products run on this thread neither change nor move; scopes nest, and the outermost one's end forgets them all.
    /// </summary>
    public static Scope Hold()
    {
        var state = t_state ??= new State();
        state.Depth++;
        return new Scope(state);
    }

    /// <summary>True while this thread holds weights fixed.</summary>
    public static bool IsHeld => t_state is { Depth: > 0 };

    /// <summary>
    /// The whole packed B (<see cref="WholeBGemm"/>'s layout) of the n-column, k-row weight operand
    /// <paramref name="b"/> whose floats start at <paramref name="source"/>: packed on the first call within the scope,
    /// found on later ones. Null outside a scope, where the product packs B block by block as always.
    /// </summary>
    public static float* Find(in OffsetMatrix b, float* source, int n, int k)
    {
        var state = t_state;
        if (state is not { Depth: > 0 })
            return null;
        long shape = ((long)n << 32) | (uint)k;
        for (var s = 0; s < Slots; s++)
        {
            if (state.Sources[s] == (nint)source && state.Shapes[s] == shape)
                return (float*)state.Packed[s];
        }
        // A new operand takes the slot used longest ago.
        var slot = state.Next;
        state.Next = (slot + 1) % Slots;
        float* packed = GemmWorkspace.Grow(ref state.Buffers[slot], WholeBGemm.Floats(n, k));
        WholeBGemm.PackInto(b, n, k, packed);
        state.Sources[slot] = (nint)source;
        state.Shapes[slot] = shape;
        state.Packed[slot] = (nint)packed;
        return packed;
    }

    /// <summary>Ends a <see cref="Hold"/>; the outermost end forgets every packed operand.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly State _state;

        internal Scope(State state) => _state = state;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (--_state.Depth > 0)
                return;
            // No operand starts at address 0, so a cleared source matches nothing.
            Array.Clear(_state.Sources);
        }
    }
}
