namespace HomogenousDsl;

/// <summary>Seeded He-style initialization: weights ~ N(0, 2 / fan-in), biases zero.</summary>
public static class ParameterInitializer
{
    /// <summary>Fills <paramref name="parameters"/> for the layers of <paramref name="description"/>, deterministically for a seed.</summary>
    public static void HeNormal(NetworkDescription description, Span<float> parameters, int seed)
    {
        if (parameters.Length != description.ParameterCount)
            throw new ArgumentException($"{description.Name} has {description.ParameterCount} parameters, the span has {parameters.Length}.", nameof(parameters));
        var random = new Random(seed);
        foreach (var layer in description.ParameterizedLayers)
        {
            var std = Math.Sqrt(2.0 / layer.FanIn);
            var weights = parameters.Slice(layer.ParameterOffset, layer.WeightLength);
            for (var i = 0; i < weights.Length; i++)
                weights[i] = (float)(std * StandardNormal(random));
            parameters.Slice(layer.ParameterOffset + layer.WeightLength, layer.BiasLength).Clear();
        }
    }

    /// <summary>Box–Muller; one draw per call keeps the sequence simple to reproduce elsewhere.</summary>
    private static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
