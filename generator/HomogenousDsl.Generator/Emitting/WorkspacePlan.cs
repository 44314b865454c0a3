using System;
using HomogenousDsl.Generator.Model;
using HomogenousDsl.Generator.Rules;

namespace HomogenousDsl.Generator.Emitting;

/// <summary>
/// Where each layer's activations live in the workspace. Every offset is per sample and multiplied by the batch at run
/// time; convolution scratch follows all per-sample slots. Flatten and Identity move no data and alias their input.
/// Each Add layer also owns a residual slot where the backward pass parks the adjoint for its source layer until the
/// sweep reaches that layer.
/// Fusion is a schedule, not an architecture change (the layer table keeps every layer): a Dense or Conv2d followed by
/// ReLU or LeakyReLU with a positive slope stores the activation directly into the activation's slot and gets no slot of
/// its own; backward reads the derivative's sign from that output (a &gt; 0 ⇔ z &gt; 0 for these activations). A max-pool
/// after such an activation folds the activation's derivative into its own backward scatter, a dense layer into its input
/// adjoint.
/// Layout is part of the schedule too: activations between dense layers are kept feature-major (see FeatureMajor).
/// </summary>
internal sealed class WorkspacePlan
{
    public const string InputBuffer = "input";

    /// <summary>
    /// A dense layer with fewer inputs (the runtime's tiny-fan-in path, <c>SmallFanInDense.MaxFanIn</c>) keeps a
    /// batch-major output: its kernel is built around it and its products are too small for the layout to matter.
    /// </summary>
    internal const int MinimumFeatureMajorFanIn = 8;

    public WorkspacePlan(NetworkModel network)
    {
        var layers = network.Layers;
        Buffers = new string[layers.Length];
        Offsets = new int[layers.Length];
        ArgmaxOffsets = new int[layers.Length];
        ResidualOffsets = new int[layers.Length];
        FusesActivation = new bool[layers.Length];
        FoldsActivation = new bool[layers.Length];
        for (var i = 0; i + 1 < layers.Length; i++)
        {
            // An Add that reads the pre-activation (layer i's own output) needs it stored, so that pair stays unfused.
            FusesActivation[i] = layers[i].Kind is LayerKind.Dense or LayerKind.Conv2d && IsSignPreserving(layers[i + 1]) && !IsAddSource(network, i);
            var pool = layers[i + 1];
            FoldsActivation[i + 1] = pool.Kind == LayerKind.MaxPool2d && IsSignPreserving(layers[i]) && !IsAddSource(network, i)
                && (layers[i].Kind == LayerKind.ReLU || pool.Stride >= pool.Kernel);
        }
        var offset = 0;
        var largest = 0;
        var previous = InputBuffer;
        for (var i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            largest = Math.Max(largest, Math.Max(layer.InputSize, layer.OutputSize));
            ArgmaxOffsets[i] = -1;
            ResidualOffsets[i] = -1;
            if (layer.Kind is LayerKind.Flatten or LayerKind.Identity)
            {
                Buffers[i] = previous;
                Offsets[i] = -1;
                continue;
            }
            if (FusesActivation[i])
            {
                Buffers[i] = "h" + (i + 1);
                Offsets[i] = -1;
                continue;
            }
            Buffers[i] = previous = "h" + i;
            Offsets[i] = offset;
            offset += layer.OutputSize;
            if (layer.Kind == LayerKind.MaxPool2d)
            {
                ArgmaxOffsets[i] = offset;
                offset += layer.OutputSize;
            }
            if (layer.Kind == LayerKind.Add)
            {
                ResidualOffsets[i] = offset;
                offset += layer.OutputSize;
            }
        }
        AdjointSize = largest;
        AdjointOffsetA = offset;
        AdjointOffsetB = offset + largest;
        FloatsPerSample = offset + 2 * largest;
        // From the last layer back, so each consumer's own output layout is known when its input's is chosen.
        FeatureMajor = new bool[layers.Length];
        for (var d = layers.Length - 1; d > 0; d--)
        {
            if (layers[d].Kind != LayerKind.Dense || !(layers[d].OutputSize == 1 || FeatureMajor[d]))
                continue;
            var producer = d - 1;
            while (producer >= 0 && IsElementwise(layers[producer]))
                producer--;
            if (producer < 0 || layers[producer].Kind != LayerKind.Dense || layers[producer].InputSize < MinimumFeatureMajorFanIn)
                continue;
            var residual = false;
            for (var j = producer; j < d; j++)
                residual |= IsAddSource(network, j);
            for (var j = producer; j < d && !residual; j++)
                FeatureMajor[j] = true;
        }
        FirstParameterizedLayer = -1;
        for (var i = 0; i < layers.Length && FirstParameterizedLayer < 0; i++)
        {
            if (layers[i].HasParameters)
                FirstParameterizedLayer = i;
        }
        FoldsIntoInputAdjoint = new bool[layers.Length];
        for (var d = Math.Max(2, FirstParameterizedLayer + 1); d < layers.Length; d++)
            FoldsIntoInputAdjoint[d] = layers[d].Kind == LayerKind.Dense && FusesActivation[d - 2] && !IsAddSource(network, d - 1);
    }

    /// <summary>The local that holds each layer's output (its own slot, or the buffer it aliases).</summary>
    public string[] Buffers { get; }

    /// <summary>Per-sample offset of each layer's own slot, −1 when it aliases its input.</summary>
    public int[] Offsets { get; }

    /// <summary>Per-sample offset of each max-pool layer's argmax indices (stored as ints), else −1.</summary>
    public int[] ArgmaxOffsets { get; }

    /// <summary>Per-sample offset of each Add layer's residual adjoint slot, else −1.</summary>
    public int[] ResidualOffsets { get; }

    /// <summary>True for a Dense or Conv2d layer that applies the next layer's activation while storing (into that layer's slot).</summary>
    public bool[] FusesActivation { get; }

    /// <summary>True for a max-pool layer whose backward also applies the derivative of the activation before it.</summary>
    public bool[] FoldsActivation { get; }

    /// <summary>
    /// True for a dense layer whose input adjoint its backward kernel carries through the activation just before it (one
    /// fused into the layer before that, so the sign is read from the dense layer's own input): the activation's backward
    /// step goes. Not where an Add reads the activation's output, whose adjoint gains the residual's share before the
    /// derivative applies, nor for the first layer with parameters, which computes no input adjoint.
    /// </summary>
    public bool[] FoldsIntoInputAdjoint { get; }

    /// <summary>
    /// True where a layer's output (and its adjoint) is stored feature-major, [features, batch]: from a dense layer
    /// through elementwise layers into the next dense layer, so each product of those layers reads its operands as
    /// stored rows. Only where the consumer's own output is feature-major too or a single value per sample (the same
    /// memory in both layouts), so no small product ever has to turn its operands around; not into or out of a
    /// residual branch. Everything else, the network's input and output included, stays batch-major.
    /// </summary>
    public bool[] FeatureMajor { get; }

    /// <summary>Per-sample size of each of the two ping-pong adjoint buffers.</summary>
    public int AdjointSize { get; }

    public int AdjointOffsetA { get; }

    public int AdjointOffsetB { get; }

    public int FloatsPerSample { get; }

    /// <summary>Backpropagation stops here: nothing before it has parameters.</summary>
    public int FirstParameterizedLayer { get; }

    public string InputOf(int layer) => layer == 0 ? InputBuffer : Buffers[layer - 1];

    /// <summary>True when layer <paramref name="layer"/>'s input is stored feature-major.</summary>
    public bool InputIsFeatureMajor(int layer) => layer > 0 && FeatureMajor[layer - 1];

    /// <summary>Layers that map each value on its own (or move nothing), so they work in either layout.</summary>
    private static bool IsElementwise(LayerModel layer) => layer.Kind is LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.Abs
        or LayerKind.SquaredReLU or LayerKind.CustomActivation or LayerKind.Identity or LayerKind.Flatten;

    /// <summary>ReLU, or LeakyReLU with a positive slope: activations whose output has the sign of their input.</summary>
    private static bool IsSignPreserving(LayerModel layer)
        => layer.Kind == LayerKind.ReLU || (layer.Kind == LayerKind.LeakyReLU && layer.Slope > 0f);

    private static bool IsAddSource(NetworkModel network, int index)
    {
        foreach (var layer in network.Layers)
        {
            if (layer.Kind == LayerKind.Add && layer.Source == index)
                return true;
        }
        return false;
    }
}
