namespace HomogenousDsl.Tests.Networks;

/// <summary>User activations: the subgradient the user wrote agrees with the function, and the generated code uses both.</summary>
public sealed class CustomActivationTests
{
    public static TheoryData<string> Activations() => new(nameof(Leaky02), nameof(AsymmetricSquare));

    [Theory]
    [MemberData(nameof(Activations))]
    public void DerivativeMatchesFiniteDifferencesOfValue(string name)
    {
        Func<float, float> value = name == nameof(Leaky02) ? Leaky02.Value : AsymmetricSquare.Value;
        Func<float, float> derivative = name == nameof(Leaky02) ? Leaky02.Derivative : AsymmetricSquare.Derivative;
        var random = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            var x = (random.NextDouble() * 2 - 1) * 3;
            if (Math.Abs(x) < 1e-2)
                continue; // the kink at 0: the subgradient is a convention there, not a limit
            const double h = 1e-3;
            var central = ((double)value((float)(x + h)) - value((float)(x - h))) / (2 * h);
            Assert.True(Math.Abs(central - derivative((float)x)) <= 2e-2 * (1 + Math.Abs(central)),
                $"{name}'({x}) = {derivative((float)x)}, finite difference {central}");
        }
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void ValueIsPositivelyHomogeneousOfItsInferredDegree(string name)
    {
        Func<float, float> value = name == nameof(Leaky02) ? Leaky02.Value : AsymmetricSquare.Value;
        var degree = name == nameof(Leaky02) ? 1 : 2;
        foreach (var x in new[] { -2.5f, -0.3f, 0f, 0.7f, 4f })
        {
            foreach (var c in new[] { 0.5f, 3f })
                Assert.Equal(Math.Pow(c, degree) * value(x), value(c * x), 4);
        }
    }

    [Fact]
    public void LayerTableNamesTheActivationAndTheResidualSource()
    {
        var custom = DenseCustom.Description.Layers[1];
        Assert.Equal(LayerKind.CustomActivation, custom.Kind);
        Assert.Equal("HomogenousDsl.Tests.Networks.Leaky02", custom.Activation);
        var add = DenseResidual.Description.Layers[2];
        Assert.Equal(LayerKind.Add, add.Kind);
        Assert.Equal(0, add.Source);
        Assert.Contains("from=0", DenseResidual.Description.Signature);
    }
}
