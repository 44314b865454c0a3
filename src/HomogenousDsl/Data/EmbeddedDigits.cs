namespace HomogenousDsl.Data;

/// <summary>
/// 2,500 real MNIST digits shipped inside the library (the first 250 of each class, in the order of the source
/// file), so samples and tests run without downloads. See Data/Resources/NOTICE.md for credits and licences.
/// </summary>
public static class EmbeddedDigits
{
    /// <summary>The manifest resource name of the gzip IDX image file (2,500×28×28).</summary>
    public const string ImagesResourceName = "HomogenousDsl.Data.mnist-subset-images-idx3-ubyte.gz";

    /// <summary>The manifest resource name of the gzip IDX label file (2,500 labels, 0–9).</summary>
    public const string LabelsResourceName = "HomogenousDsl.Data.mnist-subset-labels-idx1-ubyte.gz";

    /// <summary>Reads the embedded digits; each call decompresses a fresh copy, so callers may modify it.</summary>
    public static LabeledImages Load() =>
        new("mnist-subset", ReadResource(ImagesResourceName), ReadResource(LabelsResourceName));

    private static IdxArray ReadResource(string name)
    {
        var assembly = typeof(EmbeddedDigits).Assembly;
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {assembly.GetName().Name}; the project file must embed Data/Resources/*.gz under that logical name.");
        return IdxReader.Read(stream, name);
    }
}
