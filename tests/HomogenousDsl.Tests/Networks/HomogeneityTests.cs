namespace HomogenousDsl.Tests.Networks;

/// <summary>The exact identities of DESIGN §3 on every layer kind: scaling, Euler, finite differences.</summary>
public sealed class HomogeneityTests
{
    private const int Batch = 5;

    [Fact]
    public void DegreesAreInferredFromTheLayers()
    {
        Assert.Equal(2, new NetworkCase<DenseRelu>().Degree);
        Assert.Equal(3, new NetworkCase<DenseAbsIdentity>().Degree);
        Assert.Equal(3, new NetworkCase<DenseSquared>().Degree);
        Assert.Equal(3, new NetworkCase<ConvAvgStride>().Degree);
        // conv: 1, SquaredReLU: 2, max-pool keeps it, conv: 3, Abs keeps it, dense: 4.
        Assert.Equal(4, new NetworkCase<DeepConv>().Degree);
        Assert.Equal([2, 1, 1], new NetworkCase<DeepConv>().Description.ParameterizedLayers.Select(static l => l.DegreeExponent));
        // dense: 1, Leaky02 (inferred degree 1): 1, dense: 2, AsymmetricSquare (inferred degree 2): 4, dense: 5.
        Assert.Equal(5, new NetworkCase<DenseCustom>().Degree);
        Assert.Equal([2, 2, 1], new NetworkCase<DenseCustom>().Description.ParameterizedLayers.Select(static l => l.DegreeExponent));
        // Adds of equal-degree branches keep the degree.
        Assert.Equal(2, new NetworkCase<DenseResidual>().Degree);
        Assert.Equal(2, new NetworkCase<ConvResidual>().Degree);
        Assert.Equal(2, new NetworkCase<ResidualOutput>().Degree);
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void ScalingParametersScalesOutputsByCToTheL(string name)
    {
        var network = NetworkCases.Get(name);
        var parameters = NetworkCases.RandomParameters(network, 1);
        var inputs = NetworkCases.RandomInputs(network, Batch, 2);
        var baseline = network.Outputs(parameters, inputs, Batch);
        foreach (var c in new[] { 0.5, 2.0, 3.0 })
        {
            var scaled = network.Outputs(parameters.Select(p => (float)(p * c)).ToArray(), inputs, Batch);
            var factor = Math.Pow(c, network.Degree);
            for (var i = 0; i < baseline.Length; i++)
                AssertClose(baseline[i] * factor, scaled[i], 1e-4, $"{name} output {i} at c = {c}");
        }
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void EulerIdentityHoldsPerOutput(string name)
    {
        var network = NetworkCases.Get(name);
        var parameters = NetworkCases.RandomParameters(network, 3);
        var inputs = NetworkCases.RandomInputs(network, Batch, 4);
        for (var output = 0; output < network.OutputSize; output++)
        {
            var adjoints = new float[Batch * network.OutputSize];
            for (var b = 0; b < Batch; b++)
                adjoints[b * network.OutputSize + output] = 1f;
            var (outputs, gradient) = network.Subgradient(parameters, inputs, adjoints, Batch);
            var lhs = parameters.Zip(gradient, static (p, g) => (double)p * g).Sum();
            var rhs = network.Degree * Enumerable.Range(0, Batch).Sum(b => (double)outputs[b * network.OutputSize + output]);
            var magnitude = Enumerable.Range(0, Batch).Sum(b => Math.Abs((double)outputs[b * network.OutputSize + output]));
            Assert.True(Math.Abs(lhs - rhs) <= 1e-4 * (magnitude + 1e-3), $"{name} output {output}: ⟨∇f, θ⟩ = {lhs}, L·f = {rhs}");
        }
    }

    [Theory]
    [MemberData(nameof(NetworkCases.Names), MemberType = typeof(NetworkCases))]
    public void GradientMatchesFiniteDifferencesAwayFromKinks(string name)
    {
        var network = NetworkCases.Get(name);
        var parameters = NetworkCases.RandomParameters(network, 5);
        var inputs = NetworkCases.RandomInputs(network, Batch, 6);
        var random = new Random(7);
        var adjoints = Enumerable.Range(0, Batch * network.OutputSize).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (_, gradient) = network.Subgradient(parameters, inputs, adjoints, Batch);

        double Objective(float[] theta) => network.Outputs(theta, inputs, Batch).Zip(adjoints, static (f, a) => (double)f * a).Sum();

        var checkedCount = 0;
        var coordinates = Enumerable.Range(0, network.ParameterCount).OrderBy(_ => random.Next()).Take(120);
        foreach (var j in coordinates)
        {
            const float h = 2e-3f;
            var plus = (float[])parameters.Clone();
            var minus = (float[])parameters.Clone();
            plus[j] += h;
            minus[j] -= h;
            double center = Objective(parameters), up = Objective(plus), down = Objective(minus);
            var right = (up - center) / (plus[j] - parameters[j]);
            var left = (center - down) / (parameters[j] - minus[j]);
            // A kink between θ − h and θ + h shows up as different one-sided slopes; such coordinates are skipped.
            if (Math.Abs(right - left) > 1e-2 * (1 + Math.Abs(right)))
                continue;
            var central = (up - down) / (plus[j] - minus[j]);
            Assert.True(Math.Abs(central - gradient[j]) <= 2e-3 * (1 + Math.Abs(central)),
                $"{name}: ∂/∂θ[{j}] backprop {gradient[j]} vs finite difference {central}");
            checkedCount++;
        }
        Assert.True(checkedCount >= Math.Min(60, network.ParameterCount / 2), $"only {checkedCount} coordinates were away from kinks");
    }

    private static void AssertClose(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relative * (1 + Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");
}
