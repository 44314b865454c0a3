using HomogenousDsl.Persistence;

namespace HomogenousDsl;

/// <summary>
/// A network's parameters plus a workspace: the convenient way to evaluate a generated network and its subgradient
/// outside a trainer, save it and load it.
/// </summary>
/// <example>
/// <code>
/// var model = new HomogeneousModel&lt;TwoLayer&gt;(maxBatch: 64, seed: 1);
/// model.Forward(inputs, outputs, batch: 10);
/// model.Save("twolayer-params");
/// </code>
/// </example>
/// <typeparam name="TNetwork">The generated network.</typeparam>
public sealed class HomogeneousModel<TNetwork> where TNetwork : IHomogeneousNetwork<TNetwork>
{
    private readonly float[] _workspace;

    /// <summary>Allocates parameters (He-initialized from <paramref name="seed"/>) and a workspace for up to <paramref name="maxBatch"/> samples.</summary>
    public HomogeneousModel(int maxBatch = 256, int seed = 0)
    {
        if (maxBatch <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "The workspace must hold at least one sample.");
        MaxBatch = maxBatch;
        Parameters = new float[TNetwork.ParameterCount];
        ParameterInitializer.HeNormal(TNetwork.Description, Parameters, seed);
        _workspace = new float[TNetwork.WorkspaceSize(maxBatch)];
    }

    /// <summary>The flat parameter vector θ (PyTorch layouts, layers in declaration order).</summary>
    public float[] Parameters { get; }

    /// <summary>The largest batch one call may take.</summary>
    public int MaxBatch { get; }

    /// <summary>The layer table.</summary>
    public static NetworkDescription Description => TNetwork.Description;

    /// <summary>Computes outputs for <paramref name="batch"/> samples.</summary>
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        CheckBatch(batch);
        TNetwork.Forward(Parameters, inputs, outputs, batch, _workspace);
    }

    /// <summary>
    /// Computes outputs and adds ∂/∂θ Σ_b ⟨adjoints[b], f(θ; x_b)⟩ to <paramref name="gradient"/>. With all adjoints 1
    /// and one output this is Σ_b ∇_θ f(θ; x_b).
    /// </summary>
    public void Subgradient(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputAdjoints, Span<float> outputs, Span<float> gradient, int batch)
    {
        CheckBatch(batch);
        TNetwork.Forward(Parameters, inputs, outputs, batch, _workspace);
        TNetwork.Backward(Parameters, inputs, outputAdjoints, gradient, batch, _workspace);
    }

    /// <summary>Saves the parameters as <c>.npy</c> files with a manifest (see <see cref="ParameterStore"/>).</summary>
    public void Save(string directory) => ParameterStore.Save(directory, TNetwork.Description, Parameters);

    /// <summary>Loads parameters saved for the same architecture.</summary>
    public void Load(string directory) => ParameterStore.Load(directory, TNetwork.Description, Parameters);

    private void CheckBatch(int batch)
    {
        if (batch <= 0 || batch > MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{TNetwork.Description.Name}: this model's workspace holds 1 to {MaxBatch} samples.");
    }
}
