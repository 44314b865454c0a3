using HomogenousDsl.Data;

namespace HomogenousDsl.Benchmarks.Workloads;

/// <summary>
/// The peer's data: 1,000 synthetic separable 2-D points for W1; Fashion-MNIST T-shirt (class 0, target −1) against
/// trouser (class 1, target +1), all 12,000 training images, for W2–W5. Loaded once per process, on first use.
/// </summary>
public sealed class WorkloadData
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the files (the peer reads the same ones).</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    private readonly Lazy<Dataset> _twoD = new(() => SyntheticData.SeparableTwoD(count: 1_000, seed: 0));
    private readonly Lazy<(Dataset Data, string Source)> _images;

    /// <summary>Creates a source that writes its notes (such as a fallback to the embedded digits) to <paramref name="note"/>.</summary>
    public WorkloadData(Action<string> note) => _images = new(() => LoadImages(note));

    /// <summary>W1's points.</summary>
    public Dataset TwoD => _twoD.Value;

    /// <summary>W2–W5's images, exactly <see cref="Workload.MarginSamples"/> of them.</summary>
    public Dataset Images => _images.Value.Data;

    /// <summary>Where <see cref="Images"/> came from, for reports.</summary>
    public string ImagesSource => _images.Value.Source;

    private static (Dataset, string) LoadImages(Action<string> note)
    {
        var images = Path.Combine(FashionMnistDirectory, "train-images-idx3-ubyte.gz");
        var labels = Path.Combine(FashionMnistDirectory, "train-labels-idx1-ubyte.gz");
        if (File.Exists(images) && File.Exists(labels))
            return (MnistLoader.TwoClass(MnistLoader.Load(images, labels), positiveClass: 1, negativeClass: 0), "Fashion-MNIST train, trouser (+1) vs T-shirt (−1)");

        note($"Fashion-MNIST not found in {FashionMnistDirectory} (apt-get install dataset-fashion-mnist); using the embedded " +
             $"MNIST digits 1 vs 0, repeated to {Workload.MarginSamples:N0} samples. Speeds stay comparable (same shapes), margins do not.");
        var digits = RepeatTo(MnistLoader.TwoClass(EmbeddedDigits.Load(), positiveClass: 1, negativeClass: 0), Workload.MarginSamples);
        return (digits, "embedded MNIST digits 1 vs 0 (Fashion-MNIST missing), repeated");
    }

    // Cycles the samples until there are count of them, so W5 evaluates as many samples as with Fashion-MNIST.
    private static Dataset RepeatTo(Dataset data, int count)
    {
        var size = data.FeatureCount;
        var features = new float[(long)count * size];
        var targets = new int[count];
        for (var i = 0; i < count; i++)
        {
            var source = i % data.Count;
            data.Sample(source).CopyTo(features.AsSpan(i * size, size));
            targets[i] = data.Targets[source];
        }
        return Dataset.Binary($"{data.Name} repeated to {count}", features, data.SampleShape, targets);
    }
}
