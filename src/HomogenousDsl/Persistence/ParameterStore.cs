using System.Text.Json;
using System.Text.Json.Serialization;
using HomogenousDsl.Data;

namespace HomogenousDsl.Persistence;

/// <summary>
/// Saves and loads parameters as one <c>.npy</c> file per weight and bias, named like the keys of an equivalent
/// PyTorch <c>nn.Sequential</c> state dict (<c>0.weight.npy</c>, <c>0.bias.npy</c>, <c>3.weight.npy</c>…), plus a
/// <c>manifest.json</c> with the layer table. Layouts are PyTorch's, so the files load into PyTorch or NumPy unchanged.
/// </summary>
public static class ParameterStore
{
    /// <summary>The manifest's file name inside a parameter directory.</summary>
    public const string ManifestFile = "manifest.json";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Writes the parameters into <paramref name="directory"/>. The files are written into a sibling temporary folder
    /// first and swapped in at the end, so an interrupted save leaves the previous contents intact.
    /// </summary>
    public static void Save(string directory, NetworkDescription network, ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != network.ParameterCount)
            throw new ArgumentException($"{network.Name} has {network.ParameterCount} parameters; {parameters.Length} were given.", nameof(parameters));
        var target = Path.GetFullPath(directory);
        var staging = target + ".saving";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);

        var entries = new List<ManifestLayer>();
        foreach (var layer in network.Layers)
        {
            string? weightFile = null, biasFile = null;
            if (layer.HasParameters)
            {
                weightFile = $"{layer.Index}.weight.npy";
                NpyFile.Write(Path.Combine(staging, weightFile), parameters.Slice(layer.ParameterOffset, layer.WeightLength), layer.WeightShape);
                if (layer.BiasLength > 0)
                {
                    biasFile = $"{layer.Index}.bias.npy";
                    NpyFile.Write(Path.Combine(staging, biasFile), parameters.Slice(layer.ParameterOffset + layer.WeightLength, layer.BiasLength), [layer.BiasLength]);
                }
            }
            entries.Add(new ManifestLayer(layer.Index, layer.Kind.ToString(), layer.InputShape, layer.OutputShape, layer.WeightShape, weightFile, biasFile, layer.DegreeExponent));
        }
        var manifest = new Manifest(network.Name, network.Signature, network.Degree, network.ParameterCount, network.InputShape, network.OutputSize, entries);
        File.WriteAllText(Path.Combine(staging, ManifestFile), JsonSerializer.Serialize(manifest, s_json));

        var previous = target + ".previous";
        if (Directory.Exists(previous))
            Directory.Delete(previous, recursive: true);
        if (Directory.Exists(target))
            Directory.Move(target, previous);
        Directory.Move(staging, target);
        if (Directory.Exists(previous))
            Directory.Delete(previous, recursive: true);
    }

    /// <summary>
    /// Reads parameters saved by <see cref="Save"/> (or written by hand in the same layout) into
    /// <paramref name="parameters"/>. Refuses a directory whose layer table differs from <paramref name="network"/>'s.
    /// </summary>
    public static void Load(string directory, NetworkDescription network, Span<float> parameters)
    {
        if (parameters.Length != network.ParameterCount)
            throw new ArgumentException($"{network.Name} has {network.ParameterCount} parameters; the span has {parameters.Length}.", nameof(parameters));
        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new DataFormatException($"{manifestPath}: no parameter manifest here; expected a directory written by ParameterStore.Save.", manifestPath);
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), s_json)
                       ?? throw new DataFormatException($"{manifestPath}: the manifest is empty.", manifestPath);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{manifestPath}: the manifest is not valid JSON ({e.Message}).", manifestPath);
        }
        if (manifest.Signature != network.Signature)
            throw new DataFormatException($"{manifestPath}: the parameters are for another architecture.\n  saved:    {manifest.Signature}\n  expected: {network.Signature}", manifestPath);

        foreach (var layer in network.ParameterizedLayers)
        {
            ReadInto(directory, $"{layer.Index}.weight.npy", layer.WeightShape, parameters.Slice(layer.ParameterOffset, layer.WeightLength));
            if (layer.BiasLength > 0)
                ReadInto(directory, $"{layer.Index}.bias.npy", [layer.BiasLength], parameters.Slice(layer.ParameterOffset + layer.WeightLength, layer.BiasLength));
        }
    }

    private static void ReadInto(string directory, string file, int[] shape, Span<float> destination)
    {
        var path = Path.Combine(directory, file);
        var array = NpyFile.Read(path);
        if (!array.Shape.AsSpan().SequenceEqual(shape))
            throw new DataFormatException($"{path}: expected shape ({string.Join(", ", shape)}), found ({string.Join(", ", array.Shape)}).", path);
        array.Data.AsSpan().CopyTo(destination);
    }

    private sealed record Manifest(string Network, string Signature, int Degree, int ParameterCount, int[] InputShape, int OutputSize, List<ManifestLayer> Layers);

    private sealed record ManifestLayer(
        int Index,
        string Kind,
        int[] InputShape,
        int[] OutputShape,
        int[] WeightShape,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WeightFile,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BiasFile,
        int DegreeExponent);
}
