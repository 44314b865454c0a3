using System.Text;

namespace HomogenousDsl;

/// <summary>
/// The static description of a generated network: degree, sizes and layer table. Used for printing, per-layer norms,
/// initialization and to refuse a checkpoint of another architecture.
/// </summary>
public sealed class NetworkDescription
{
    /// <summary>Creates a description; generated code calls this once per network type.</summary>
    public NetworkDescription(string name, int[] inputShape, int outputSize, int degree, int parameterCount, LayerDescriptor[] layers)
    {
        Name = name;
        InputShape = inputShape;
        OutputSize = outputSize;
        Degree = degree;
        ParameterCount = parameterCount;
        Layers = layers;
        ParameterizedLayers = layers.Where(static l => l.HasParameters).ToArray();
        ForwardFlopsPerSample = ParameterizedLayers.Sum(static layer =>
            2L * layer.WeightLength * (layer.Kind == LayerKind.Conv2d ? (long)layer.OutputShape[1] * layer.OutputShape[2] : 1));
    }

    /// <summary>The network type's full name.</summary>
    public string Name { get; }

    /// <summary>Per-sample input shape.</summary>
    public int[] InputShape { get; }

    /// <summary>Input floats per sample.</summary>
    public int InputSize => InputShape.Aggregate(1, static (a, b) => a * b);

    /// <summary>Outputs per sample: 1 for binary classification, k for k classes.</summary>
    public int OutputSize { get; }

    /// <summary>The homogeneity degree L: <c>f(c·θ; x) = c^L f(θ; x)</c> for c &gt; 0.</summary>
    public int Degree { get; }

    /// <summary>Length of the flat parameter vector.</summary>
    public int ParameterCount { get; }

    /// <summary>All layers in declaration order.</summary>
    public IReadOnlyList<LayerDescriptor> Layers { get; }

    /// <summary>The layers that own parameters, in declaration order.</summary>
    public IReadOnlyList<LayerDescriptor> ParameterizedLayers { get; }

    /// <summary>
    /// Multiply-adds ×2 of one sample's forward pass through the parameterized layers; backward costs about twice this.
    /// Used to decide when splitting a batch over threads pays for the dispatch.
    /// </summary>
    public long ForwardFlopsPerSample { get; }

    /// <summary>
    /// A canonical text of the architecture (kinds, shapes, hyper-parameters, offsets). Two networks with the same
    /// signature share a parameter layout, so a checkpoint of one loads into the other.
    /// </summary>
    public string Signature
    {
        get
        {
            var text = new StringBuilder();
            text.Append("input[").Append(string.Join(",", InputShape)).Append("] degree ").Append(Degree);
            foreach (var layer in Layers)
                text.Append(" | ").Append(layer);
            return text.ToString();
        }
    }

    /// <summary>A printable table of the layers.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Name).Append(": input [").Append(string.Join(",", InputShape)).Append("], ")
            .Append(ParameterCount).Append(" parameters, degree L = ").Append(Degree).AppendLine();
        foreach (var layer in Layers)
            text.Append("  ").Append(layer).AppendLine();
        return text.ToString();
    }
}
