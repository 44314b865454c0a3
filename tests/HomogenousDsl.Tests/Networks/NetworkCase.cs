using HomogenousDsl;

namespace HomogenousDsl.Tests.Networks;

/// <summary>Runs a generated network through its static interface, in double where the tests compare.</summary>
public interface INetworkCase
{
    string Name { get; }
    int Degree { get; }
    int ParameterCount { get; }
    int InputSize { get; }
    int OutputSize { get; }
    NetworkDescription Description { get; }
    float[] Outputs(float[] parameters, float[] inputs, int batch);
    /// <summary>Outputs and the gradient of Σ_b ⟨adjoints_b, f(θ; x_b)⟩.</summary>
    (float[] Outputs, float[] Gradient) Subgradient(float[] parameters, float[] inputs, float[] adjoints, int batch);
    /// <summary>Forward, then Backward into the caller's gradient buffer with the given write mode.</summary>
    void Subgradient(float[] parameters, float[] inputs, float[] adjoints, int batch, float[] gradient, GradientWrite write);
}

public sealed class NetworkCase<T> : INetworkCase where T : IHomogeneousNetwork<T>
{
    public string Name => typeof(T).Name;
    public int Degree => T.Degree;
    public int ParameterCount => T.ParameterCount;
    public int InputSize => T.InputSize;
    public int OutputSize => T.OutputSize;
    public NetworkDescription Description => T.Description;

    public float[] Outputs(float[] parameters, float[] inputs, int batch)
    {
        var outputs = new float[batch * T.OutputSize];
        T.Forward(parameters, inputs, outputs, batch, new float[T.WorkspaceSize(batch)]);
        return outputs;
    }

    public (float[] Outputs, float[] Gradient) Subgradient(float[] parameters, float[] inputs, float[] adjoints, int batch)
    {
        var outputs = new float[batch * T.OutputSize];
        var gradient = new float[T.ParameterCount];
        var workspace = new float[T.WorkspaceSize(batch)];
        T.Forward(parameters, inputs, outputs, batch, workspace);
        T.Backward(parameters, inputs, adjoints, gradient, batch, workspace);
        return (outputs, gradient);
    }

    public void Subgradient(float[] parameters, float[] inputs, float[] adjoints, int batch, float[] gradient, GradientWrite write)
    {
        var workspace = new float[T.WorkspaceSize(batch)];
        T.Forward(parameters, inputs, new float[batch * T.OutputSize], batch, workspace);
        T.Backward(parameters, inputs, adjoints, gradient, batch, workspace, write);
    }

    public override string ToString() => Name;
}

public static class NetworkCases
{
    public static readonly INetworkCase[] All =
    [
        new NetworkCase<DenseRelu>(), new NetworkCase<DenseLeaky>(), new NetworkCase<DenseAbsIdentity>(),
        new NetworkCase<DenseSquared>(), new NetworkCase<ConvMax>(), new NetworkCase<ConvAvgStride>(), new NetworkCase<DeepConv>(),
        new NetworkCase<DenseCustom>(), new NetworkCase<DenseResidual>(), new NetworkCase<ConvResidual>(), new NetworkCase<ResidualOutput>(),
        new NetworkCase<DenseLeakyWide>(), new NetworkCase<ConvReluPoolWide>(),
    ];

    public static TheoryData<string> Names() => new(All.Select(static c => c.Name));

    public static INetworkCase Get(string name) => All.Single(c => c.Name == name);

    public static float[] RandomParameters(INetworkCase network, int seed)
    {
        var parameters = new float[network.ParameterCount];
        ParameterInitializer.HeNormal(network.Description, parameters, seed);
        // Give first-layer biases non-zero values so they take part in the identities.
        var random = new Random(seed + 1000);
        foreach (var layer in network.Description.ParameterizedLayers)
        {
            for (var i = 0; i < layer.BiasLength; i++)
                parameters[layer.ParameterOffset + layer.WeightLength + i] = (float)(random.NextDouble() - 0.5);
        }
        return parameters;
    }

    public static float[] RandomInputs(INetworkCase network, int batch, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, batch * network.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
