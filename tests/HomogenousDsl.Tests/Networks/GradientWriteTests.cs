namespace HomogenousDsl.Tests.Networks;

/// <summary>Backward's two write modes on every test network: overwrite stores every parameter's gradient, accumulate adds.</summary>
public sealed class GradientWriteTests
{
    private const int Batch = 4;

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void OverwriteReplacesEveryEntryWithTheAccumulatedGradient(string name)
    {
        var (network, parameters, inputs, adjoints) = Case(name);
        var accumulated = new float[network.ParameterCount];
        network.Subgradient(parameters, inputs, adjoints, Batch, accumulated, GradientWrite.Accumulate);

        // NaN everywhere first: a single parameter the overwrite missed would stay NaN.
        var overwritten = Enumerable.Repeat(float.NaN, network.ParameterCount).ToArray();
        network.Subgradient(parameters, inputs, adjoints, Batch, overwritten, GradientWrite.Overwrite);
        for (var i = 0; i < overwritten.Length; i++)
            Assert.True(overwritten[i] == accumulated[i], $"{name} parameter {i}: overwrite gave {overwritten[i]}, accumulate into zeros {accumulated[i]}");
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void AccumulateAddsToWhatIsThere(string name)
    {
        var (network, parameters, inputs, adjoints) = Case(name);
        var gradient = new float[network.ParameterCount];
        network.Subgradient(parameters, inputs, adjoints, Batch, gradient, GradientWrite.Overwrite);

        var offset = Enumerable.Range(0, network.ParameterCount).Select(static i => (i % 7) - 3f).ToArray();
        var sum = (float[])offset.Clone();
        network.Subgradient(parameters, inputs, adjoints, Batch, sum, GradientWrite.Accumulate);
        for (var i = 0; i < sum.Length; i++)
            Assert.True(Math.Abs(sum[i] - (offset[i] + gradient[i])) <= 1e-5 * (1 + Math.Abs(gradient[i])),
                $"{name} parameter {i}: {sum[i]} != {offset[i]} + {gradient[i]}");
    }

    private static (INetworkCase Network, float[] Parameters, float[] Inputs, float[] Adjoints) Case(string name)
    {
        var network = NetworkCases.Get(name);
        var adjoints = Enumerable.Range(0, Batch * network.OutputSize).Select(static i => 0.25f * (i % 5) - 0.4f).ToArray();
        return (network, NetworkCases.RandomParameters(network, 3), NetworkCases.RandomInputs(network, Batch, 4), adjoints);
    }
}
