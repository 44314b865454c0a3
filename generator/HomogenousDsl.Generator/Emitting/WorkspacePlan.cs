using System;
using HomogenousDsl.Generator.Model;
using HomogenousDsl.Generator.Rules;

namespace HomogenousDsl.Generator.Emitting;

/// <summary>
/// Where each layer's activations live in the workspace. Every offset is per sample and multiplied by the batch at run
/// time; convolution scratch follows all per-sample slots. Flatten and Identity move no data and alias their input.
/// Each Add layer also owns a residual slot where the backward pass parks the adjoint for its source layer until the
/// sweep reaches that layer.
/// </summary>
internal sealed class WorkspacePlan
{
    public const string InputBuffer = "input";

    public WorkspacePlan(NetworkModel network)
    {
        var layers = network.Layers;
        Buffers = new string[layers.Length];
        Offsets = new int[layers.Length];
        ArgmaxOffsets = new int[layers.Length];
        ResidualOffsets = new int[layers.Length];
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
        FirstParameterizedLayer = -1;
        for (var i = 0; i < layers.Length && FirstParameterizedLayer < 0; i++)
        {
            if (layers[i].HasParameters)
                FirstParameterizedLayer = i;
        }
    }

    /// <summary>The local that holds each layer's output (its own slot, or the buffer it aliases).</summary>
    public string[] Buffers { get; }

    /// <summary>Per-sample offset of each layer's own slot, −1 when it aliases its input.</summary>
    public int[] Offsets { get; }

    /// <summary>Per-sample offset of each max-pool layer's argmax indices (stored as ints), else −1.</summary>
    public int[] ArgmaxOffsets { get; }

    /// <summary>Per-sample offset of each Add layer's residual adjoint slot, else −1.</summary>
    public int[] ResidualOffsets { get; }

    /// <summary>Per-sample size of each of the two ping-pong adjoint buffers.</summary>
    public int AdjointSize { get; }

    public int AdjointOffsetA { get; }

    public int AdjointOffsetB { get; }

    public int FloatsPerSample { get; }

    /// <summary>Backpropagation stops here: nothing before it has parameters.</summary>
    public int FirstParameterizedLayer { get; }

    public string InputOf(int layer) => layer == 0 ? InputBuffer : Buffers[layer - 1];
}
