using HomogenousDsl.Data;
using HomogenousDsl.Persistence;
using HomogenousDsl.Tests.Networks;

namespace HomogenousDsl.Tests.Persistence;

public sealed class ParameterStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hd-params-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void SavedNetworkReloadsBitIdentically()
    {
        var model = new HomogeneousModel<ConvMax>(maxBatch: 4, seed: 3);
        model.Parameters[^1] = -0f;
        model.Parameters[0] = float.Epsilon;
        model.Save(_directory);
        Assert.True(File.Exists(Path.Combine(_directory, "0.weight.npy")));
        Assert.True(File.Exists(Path.Combine(_directory, "0.bias.npy")));
        Assert.True(File.Exists(Path.Combine(_directory, "4.weight.npy")));

        var reloaded = new HomogeneousModel<ConvMax>(maxBatch: 4, seed: 99);
        reloaded.Load(_directory);
        Assert.Equal(
            model.Parameters.Select(BitConverter.SingleToInt32Bits),
            reloaded.Parameters.Select(BitConverter.SingleToInt32Bits));

        var inputs = NetworkCases.RandomInputs(new NetworkCase<ConvMax>(), 4, 1);
        float[] a = new float[4], b = new float[4];
        model.Forward(inputs, a, 4);
        reloaded.Forward(inputs, b, 4);
        Assert.Equal(a, b);
    }

    [Fact]
    public void WeightFilesUsePyTorchShapes()
    {
        new HomogeneousModel<ConvMax>(maxBatch: 1, seed: 3).Save(_directory);
        Assert.Equal([3, 2, 3, 3], NpyFile.Read(Path.Combine(_directory, "0.weight.npy")).Shape);
        Assert.Equal([1, 27], NpyFile.Read(Path.Combine(_directory, "4.weight.npy")).Shape);
        Assert.Contains("\"kind\": \"MaxPool2d\"", File.ReadAllText(Path.Combine(_directory, ParameterStore.ManifestFile)));
    }

    [Fact]
    public void ParametersOfAnotherArchitectureAreRefused()
    {
        new HomogeneousModel<DenseRelu>(maxBatch: 1, seed: 3).Save(_directory);
        var error = Assert.Throws<DataFormatException>(() => new HomogeneousModel<DenseLeaky>(maxBatch: 1).Load(_directory));
        Assert.Contains("another architecture", error.Message);
        Assert.Contains("manifest.json", error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
